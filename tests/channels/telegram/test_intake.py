"""A webhook body is refused with a reason, or cleaned so that the database can store it."""

from __future__ import annotations

import json

import pytest

from engine.channels.telegram.intake import MAX_DEPTH, RefusedBody, read_update


def body(**fields: object) -> bytes:
    return json.dumps({"update_id": 5, **fields}).encode()


def test_a_lone_surrogate_becomes_a_replacement_character_and_pairs_survive() -> None:
    raw = b'{"update_id": 5, "message": {"text": "a\\ud800b \\ud83d\\ude00"}}'
    clean = read_update(raw)
    assert clean.data["message"]["text"] == "a\ufffdb \U0001f600"
    assert clean.cleaned == 1
    clean.data["message"]["text"].encode("utf-8")  # valid UTF-8 now


def test_nul_characters_are_dropped() -> None:
    assert read_update(body(message={"text": "a\x00b"})).data["message"]["text"] == "ab"


@pytest.mark.parametrize("update_id", [2**63, -1, 2**64])
def test_an_update_id_outside_64_bits_is_refused(update_id: int) -> None:
    with pytest.raises(RefusedBody, match=r"64 bits|out of range"):
        read_update(json.dumps({"update_id": update_id}).encode())


def test_any_number_outside_64_bits_is_refused() -> None:
    with pytest.raises(RefusedBody, match="64 bits"):
        read_update(body(message={"chat": {"id": -(2**63) - 1}}))


def test_nesting_is_bounded_before_parsing() -> None:
    deep = b'{"update_id": 5, "x": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}"
    with pytest.raises(RefusedBody, match="nested deeper"):
        read_update(deep)
    brackets_in_text = body(message={"text": "[" * 500})
    assert read_update(brackets_in_text).data["message"]["text"] == "[" * 500


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[]", b'{"update_id": "5"}', b'{"update_id": true}']
)
def test_what_is_not_an_update_is_refused(raw: bytes) -> None:
    with pytest.raises(RefusedBody):
        read_update(raw)

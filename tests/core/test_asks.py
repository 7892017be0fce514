"""Each ask type accepts what a teacher would type and refuses the rest with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from engine.core.asks import check
from engine.core.events import Inbound


def text(value: str) -> Inbound:
    return Inbound.message(value)


@pytest.mark.parametrize(
    ("ask_type", "options", "typed", "value"),
    [
        ("text", {}, "  good module  ", "good module"),
        ("text", {"max_length": 5}, "short", "short"),
        ("number", {}, "5", 5),
        ("number", {}, "2.5", 2.5),
        ("number", {}, "2,5", 2.5),
        ("number", {}, "1,000", 1000),
        ("number", {}, "५", 5),
        ("number", {"min": 0, "max": 60}, "60", 60),
        ("integer", {"min": 1}, "12", 12),
        ("integer", {}, "१२", 12),
        ("regex", {"pattern": "^[1-9][0-9]{5}$"}, "400088", "400088"),
        ("regex", {"pattern": "^[1-9][0-9]{5}$"}, "४९२००१", "492001"),
        ("yes_no", {}, "Yes", True),
        ("yes_no", {}, "नहीं", False),
        ("yes_no", {}, "haan", True),
        ("date", {}, "25/12/2026", "2026-12-25"),
        ("date", {}, "2026-01-31", "2026-01-31"),
        ("date", {"min": "2020-01-01"}, "1.2.2021", "2021-02-01"),
    ],
)
def test_accepts(ask_type: str, options: dict[str, Any], typed: str, value: Any) -> None:
    checked = check(ask_type, text(typed), options)
    assert checked.ok and checked.value == value


@pytest.mark.parametrize(
    ("ask_type", "options", "typed", "reason"),
    [
        ("text", {"max_length": 5}, "too long", "retry_too_long"),
        ("text", {}, "   ", "retry_text"),
        ("number", {}, "five", "retry_number"),
        ("number", {}, "nan", "retry_number"),
        ("number", {"min": 0, "max": 60}, "61", "retry_range"),
        ("integer", {}, "2.5", "retry_integer"),
        ("regex", {"pattern": "^[1-9][0-9]{5}$"}, "40008", "retry_pattern"),
        ("yes_no", {}, "maybe", "retry_yes_no"),
        ("date", {}, "tomorrow", "retry_date"),
        ("date", {}, "31/02/2026", "retry_date"),
        ("date", {"max": "2026-01-01"}, "02/01/2026", "retry_date_range"),
        ("location", {}, "Pune", "retry_location"),
        ("photo", {}, "here", "retry_photo"),
    ],
)
def test_refuses(ask_type: str, options: dict[str, Any], typed: str, reason: str) -> None:
    checked = check(ask_type, text(typed), options)
    assert not checked.ok and checked.reason == reason


def test_media_answers() -> None:
    assert check("photo", Inbound.attachment("photo", "AgAC"), {}).value == "AgAC"
    assert not check("photo", Inbound.attachment("document", "BQAC"), {}).ok
    where = check("location", Inbound.attachment("location", {"lat": 1.5, "lon": 2.0}), {})
    assert where.value == {"lat": 1.5, "lon": 2.0}
    assert not check("text", Inbound.attachment("voice", "AwAC"), {}).ok


def test_the_registry_and_the_schema_agree_on_the_ask_types() -> None:
    from engine.authoring.schema import load_schema
    from engine.core.asks import ASKS

    declared = load_schema()["$defs"]["ask"]["properties"]["type"]["enum"]
    assert sorted(ASKS) == sorted(declared)


def test_every_ask_type_has_a_retry_text_in_english_and_hindi() -> None:
    from engine.core.asks import ASKS
    from engine.core.builtin_texts import builtin

    for ask in ASKS.values():
        english, hindi = builtin(ask.retry, "en"), builtin(ask.retry, "hi")
        assert english and hindi and english != ask.retry


def test_media_asks_want_media_and_location_needs_a_reply_keyboard() -> None:
    from engine.core.asks import ASKS

    assert {name for name, ask in ASKS.items() if ask.wants_media} == {"location", "photo"}
    assert [name for name, ask in ASKS.items() if ask.reply_keyboard] == ["location"]
    words = {"yes": "हाँ", "no": "नहीं", "share_location": "स्थान भेजें"}.__getitem__
    (row,) = ASKS["yes_no"].buttons(words, "abcd1234")
    assert [(b.label, b.data) for b in row] == [("हाँ", "abcd1234:y"), ("नहीं", "abcd1234:n")]
    assert ASKS["yes_no"].button_answer("y") == Inbound("text", "yes")
    assert ASKS["yes_no"].button_answer("x") is None
    ((share,),) = ASKS["location"].buttons(words, "abcd1234")
    assert share.request == "location" and share.label == "स्थान भेजें"


def test_yes_no_accepts_the_flows_own_words() -> None:
    from engine.core.asks import check

    words = {"yes": "Bilkul", "no": "Kabhi nahi"}.__getitem__
    assert check("yes_no", text("bilkul"), {}, words).value is True
    assert check("yes_no", text("Kabhi  Nahi"), {}, words).value is False

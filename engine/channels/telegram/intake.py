"""A webhook body checked and cleaned before anything else sees it.

No input may make the webhook answer 5xx (Telegram would redeliver it for ever and hold every later
update behind it), so a body is refused with a reason (400) when it is not an update, and cleaned
when it is: nesting depth is bounded before parsing; every integer must fit in 64 bits (the ids
are stored as BIGINT); every string is made valid UTF-8 (a lone UTF-16 surrogate, which JSON
allows as an escape, becomes U+FFFD) and loses NUL characters, which PostgreSQL cannot store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32
"""Telegram's updates nest about 6 levels deep (a reply's message's entities ...)."""
INT64 = (-(1 << 63), (1 << 63) - 1)


class RefusedBody(ValueError):
    """A body that is not an update, with the reason (no content from the body)."""


@dataclass(frozen=True)
class CleanUpdate:
    data: dict[str, Any]
    cleaned: int
    """How many strings had lone surrogates or NULs replaced."""


def _depth_ok(body: bytes) -> bool:
    """Whether brackets nest at most MAX_DEPTH deep, outside strings (a linear scan)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return True
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _clean_text(text: str) -> str:
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: pair what pairs, replace the rest
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text.replace("\x00", "")


def _clean(value: Any, counter: list[int]) -> Any:
    if isinstance(value, str):
        cleaned = _clean_text(value)
        if cleaned is not value and cleaned != value:
            counter[0] += 1
        return cleaned
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise RefusedBody("a number outside 64 bits")
        return value
    if isinstance(value, list):
        return [_clean(item, counter) for item in value]
    if isinstance(value, dict):
        return {_clean_text(str(k)): _clean(v, counter) for k, v in value.items()}
    return value


def read_update(body: bytes) -> CleanUpdate:
    """The update in a webhook body, cleaned; RefusedBody says why it is not one."""
    if not _depth_ok(body):
        raise RefusedBody(f"nested deeper than {MAX_DEPTH}")
    try:
        data: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise RefusedBody("malformed JSON") from None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise RefusedBody("not an update (no integer update_id)")
    counter = [0]
    cleaned = _clean(data, counter)
    if not 0 <= cleaned["update_id"] <= INT64[1]:
        raise RefusedBody("update_id out of range")
    return CleanUpdate(cleaned, counter[0])

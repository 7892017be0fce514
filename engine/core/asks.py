"""Checking an answer to an `ask`: one checker per ask type, each returning a value or a reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from engine.core.events import Inbound
from engine.core.text import ascii_digits, normalize

YES = frozenset(
    {"yes", "y", "yeah", "yep", "ok", "haan", "han", "ha", "haa", "ji", "हाँ", "हां", "हा", "जी"}
)
NO = frozenset({"no", "n", "nope", "nahi", "nahin", "na", "नहीं", "नही", "ना"})
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")


@dataclass(frozen=True)
class Checked:
    ok: bool
    value: Any = None
    reason: str = ""
    """Why an answer was refused: a key of the built-in texts (e.g. "retry_number")."""


def _refuse(reason: str) -> Checked:
    return Checked(False, reason=reason)


def _text(event: Inbound, options: Mapping[str, Any]) -> Checked:
    if event.kind != "text" or not event.text.strip():
        return _refuse("retry_text")
    value = event.text.strip()
    limit = options.get("max_length")
    if isinstance(limit, int) and len(value) > limit:
        return _refuse("retry_too_long")
    return Checked(True, value)


def _number_text(event: Inbound) -> str | None:
    if event.kind != "text":
        return None
    raw = ascii_digits(event.text.strip()).replace(" ", "")
    if raw.count(",") == 1 and "." not in raw and len(raw.split(",")[1]) != 3:
        raw = raw.replace(",", ".")  # 2,5 is a decimal comma; 1,000 groups thousands
    return raw.replace(",", "")


def _in_range(value: float, options: Mapping[str, Any]) -> bool:
    low, high = options.get("min"), options.get("max")
    return (low is None or value >= low) and (high is None or value <= high)


def _number(event: Inbound, options: Mapping[str, Any]) -> Checked:
    raw = _number_text(event)
    try:
        value = float(raw) if raw else None
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return _refuse("retry_number")
    if not _in_range(value, options):
        return _refuse("retry_range")
    return Checked(True, int(value) if value.is_integer() else value)


def _integer(event: Inbound, options: Mapping[str, Any]) -> Checked:
    raw = _number_text(event)
    if not raw or not re.fullmatch(r"[+-]?\d+", raw):
        return _refuse("retry_integer")
    value = int(raw)
    if not _in_range(value, options):
        return _refuse("retry_range")
    return Checked(True, value)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _regex(event: Inbound, options: Mapping[str, Any]) -> Checked:
    if event.kind != "text":
        return _refuse("retry_text")
    pattern = _compiled(str(options.get("pattern", "")))
    value = event.text.strip()
    if pattern.fullmatch(value):
        return Checked(True, value)
    digits = ascii_digits(value)  # a PIN typed in Devanagari digits is still a PIN
    if digits != value and pattern.fullmatch(digits):
        return Checked(True, digits)
    return _refuse("retry_pattern")


def _yes_no(event: Inbound, options: Mapping[str, Any]) -> Checked:
    if event.kind != "text":
        return _refuse("retry_yes_no")
    word = normalize(event.text).strip(".!")
    yes = YES | {normalize(w) for w in options.get("_yes", ())}
    no = NO | {normalize(w) for w in options.get("_no", ())}
    if word in yes or word == "1":
        return Checked(True, True)
    if word in no or word == "2":
        return Checked(True, False)
    return _refuse("retry_yes_no")


def _date(event: Inbound, options: Mapping[str, Any]) -> Checked:
    if event.kind != "text":
        return _refuse("retry_date")
    raw = " ".join(ascii_digits(event.text).split())
    for form in DATE_FORMATS:
        try:
            value = datetime.strptime(raw, form).date()
        except ValueError:
            continue
        low, high = options.get("min"), options.get("max")
        if (low and value < date.fromisoformat(low)) or (high and value > date.fromisoformat(high)):
            return _refuse("retry_date_range")
        return Checked(True, value.isoformat())
    return _refuse("retry_date")


def _location(event: Inbound, options: Mapping[str, Any]) -> Checked:
    if event.kind == "media" and event.media == "location" and isinstance(event.value, Mapping):
        return Checked(True, {"lat": event.value.get("lat"), "lon": event.value.get("lon")})
    return _refuse("retry_location")


def _photo(event: Inbound, options: Mapping[str, Any]) -> Checked:
    if event.kind == "media" and event.media == "photo" and event.value:
        return Checked(True, str(event.value))
    return _refuse("retry_photo")


CHECKERS: dict[str, Callable[[Inbound, Mapping[str, Any]], Checked]] = {
    "text": _text,
    "number": _number,
    "integer": _integer,
    "regex": _regex,
    "yes_no": _yes_no,
    "date": _date,
    "location": _location,
    "photo": _photo,
}


def check(ask_type: str, event: Inbound, options: Mapping[str, Any]) -> Checked:
    """Check one answer; an unknown type (schema-invalid flow) refuses rather than crashes."""
    checker = CHECKERS.get(ask_type)
    return checker(event, options) if checker else _refuse("retry_text")

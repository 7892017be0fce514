"""`number` and `integer`: Indian-language digits, a decimal comma (2,5) and thousands (1,000);
`min` and `max` are inclusive."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from engine.core.asks.base import AskType, Checked, Words, refuse
from engine.core.events import Inbound
from engine.core.text import ascii_digits


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


def check_number(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    raw = _number_text(event)
    try:
        value = float(raw) if raw else None
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return refuse("retry_number")
    if not _in_range(value, options):
        return refuse("retry_range")
    return Checked(True, int(value) if value.is_integer() else value)


def check_integer(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    raw = _number_text(event)
    if not raw or not re.fullmatch(r"[+-]?\d+", raw):
        return refuse("retry_integer")
    value = int(raw)
    if not _in_range(value, options):
        return refuse("retry_range")
    return Checked(True, value)


NUMBER = AskType("number", check_number, retry="retry_number")
INTEGER = AskType("integer", check_integer, retry="retry_integer")

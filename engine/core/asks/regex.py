"""`regex`: the whole answer matches `pattern` (digits typed in an Indian script count)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from engine.core.asks.base import AskType, Checked, Words, refuse
from engine.core.events import Inbound
from engine.core.text import ascii_digits


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    if event.kind != "text":
        return refuse("retry_text")
    pattern = _compiled(str(options.get("pattern", "")))
    value = event.text.strip()
    if pattern.fullmatch(value):
        return Checked(True, value)
    digits = ascii_digits(value)  # a PIN typed in Devanagari digits is still a PIN
    if digits != value and pattern.fullmatch(digits):
        return Checked(True, digits)
    return refuse("retry_pattern")


REGEX = AskType("regex", check, retry="retry_pattern")

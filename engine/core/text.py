"""Localized text, `{var}` templating and durations: the small vocabulary every flow uses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from engine.core.vocabulary import VARIABLE

Text = str | Mapping[str, str]
"""A text a user sees: a plain string (the flow's first language) or one string per language."""

_DURATION = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SPACES = re.compile(r"\s+")


def localize(text: Text, language: str, languages: Sequence[str]) -> str:
    """Pick the user's language, else the flow's first language, else any language given."""
    if isinstance(text, str):
        return text
    found = text.get(language)
    if found:
        return found
    if languages:
        found = text.get(languages[0])
        if found:
            return found
    return next(iter(text.values()), "")


def all_languages(text: Text) -> list[str]:
    """Every spelling of a text, in any language (for matching what a user typed)."""
    if isinstance(text, str):
        return [text]
    return list(text.values())


def show_value(value: Any) -> str:
    """How a saved variable reads inside a message: 5.0 reads as 5, a location as lat,lon."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping) and "lat" in value and "lon" in value:
        return f"{value['lat']},{value['lon']}"
    return str(value)


def render(template: str, variables: Mapping[str, Any]) -> str:
    """Insert saved variables; a variable not saved reads as empty text, never an error."""
    if "{" not in template:
        return template
    return VARIABLE.sub(lambda m: show_value(variables.get(m.group(1), "")), template)


def normalize(text: str) -> str:
    """Fold case, width and spacing so "  maths " matches "Maths" and "ｍａｔｈｓ"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", folded).strip()


def ascii_digits(text: str) -> str:
    """Turn any Unicode decimal digits (Devanagari "५", Bengali "৫", ...) into ASCII ones."""
    out = []
    for char in text:
        digit = unicodedata.decimal(char, None)
        out.append(str(digit) if digit is not None and not char.isascii() else char)
    return "".join(out)


def parse_duration(value: str) -> int:
    """`30s`, `30m`, `24h`, `7d` as seconds; ValueError with the accepted forms otherwise."""
    match = _DURATION.match(value.strip())
    if not match:
        raise ValueError(f"not a duration: {value!r} (write it like 30m, 24h or 7d)")
    return int(match.group(1)) * _UNITS[match.group(2)]

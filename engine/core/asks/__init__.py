"""The ask types, one module each, and their registry.

`ASKS[name]` is an `AskType`: its checker, the buttons it adds, whether it wants media rather than
typed text, and its default retry text. Adding an ask type is one module here plus its name in
the flow schema's `ask.type` enum (a test checks the two agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.asks.base import AskType, Checked, Words, refuse
from engine.core.asks.date import DATE
from engine.core.asks.location import LOCATION
from engine.core.asks.number import INTEGER, NUMBER
from engine.core.asks.photo import PHOTO
from engine.core.asks.regex import REGEX
from engine.core.asks.text import TEXT
from engine.core.asks.yes_no import YES_NO
from engine.core.events import Inbound

__all__ = ["ASKS", "AskType", "Checked", "Words", "ask_type", "check"]

ASKS: dict[str, AskType] = {
    ask.name: ask for ask in (TEXT, NUMBER, INTEGER, REGEX, YES_NO, DATE, LOCATION, PHOTO)
}


def ask_type(name: str) -> AskType:
    """The registered type; an unknown name (a schema-invalid flow) reads as `text`."""
    return ASKS.get(name, TEXT)


def _english(key: str) -> str:
    return {"yes": "Yes", "no": "No", "share_location": "Share location"}.get(key, key)


def check(
    name: str, event: Inbound, options: Mapping[str, Any], words: Words = _english
) -> Checked:
    """Check one answer; an unknown type refuses rather than crashes."""
    ask = ASKS.get(name)
    return ask.check(event, options, words) if ask else refuse("retry_text")

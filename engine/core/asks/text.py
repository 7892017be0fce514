"""`text`: any typed text, trimmed; `max_length` limits it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.asks.base import AskType, Checked, Words, refuse
from engine.core.events import Inbound


def check(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    if event.kind != "text" or not event.text.strip():
        return refuse("retry_text")
    value = event.text.strip()
    limit = options.get("max_length")
    if isinstance(limit, int) and len(value) > limit:
        return refuse("retry_too_long")
    return Checked(True, value)


TEXT = AskType("text", check, retry="retry_text")

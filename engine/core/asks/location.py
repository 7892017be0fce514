"""`location`: a shared location ({"lat", "lon"}), asked for with a Share-location button (which
Telegram offers only on a reply keyboard)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.asks.base import AskType, Checked, Rows, Words, refuse
from engine.core.events import Button, Inbound


def check(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    if event.kind == "media" and event.media == "location" and isinstance(event.value, Mapping):
        return Checked(True, {"lat": event.value.get("lat"), "lon": event.value.get("lon")})
    return refuse("retry_location")


def buttons(words: Words, tag: str) -> Rows:
    return ((Button(words("share_location"), request="location"),),)


LOCATION = AskType(
    "location",
    check,
    retry="retry_location",
    wants_media=True,
    buttons=buttons,
    reply_keyboard=True,
)

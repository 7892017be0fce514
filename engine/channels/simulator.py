"""The web simulator's channel: a designer's browser input as an engine event, and the engine's
messages as JSON for the page (channel "web"; the routes are in `web/simulator.py`)."""

from __future__ import annotations

from typing import Any

from engine.core.events import Inbound, Outbound

MAX_INPUT = 4096
"""Telegram's own limit on a message's text."""


def message_json(message: Outbound) -> dict[str, Any]:
    return {
        "text": message.text,
        "media_kind": message.media_kind,
        "media": message.media if message.media and "://" in message.media else None,
        "keyboard": message.keyboard,
        "buttons": [
            [{"label": b.label, "data": b.data, "request": b.request} for b in row]
            for row in message.buttons
        ],
    }


def simulator_event(data: dict[str, Any]) -> Inbound | None:
    language = data.get("language") if isinstance(data.get("language"), str) else None
    if isinstance(data.get("button"), str):
        return Inbound.button(data["button"][:64], language)
    if isinstance(data.get("text"), str) and data["text"].strip():
        return Inbound.message(data["text"][:MAX_INPUT], language)
    if data.get("media") in ("photo", "document", "voice", "sticker"):
        return Inbound.attachment(str(data["media"]), f"simulator-{data['media']}", language)
    if data.get("media") == "location":
        return Inbound.attachment("location", {"lat": 19.07, "lon": 72.87}, language)
    return None

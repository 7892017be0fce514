"""What the simulator page sends, checked and turned into engine events."""

from __future__ import annotations

import re
from typing import Any

from engine.core.events import Inbound

MAX_INPUT = 4096
"""Telegram's own limit on a message's text."""
SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
"""A browser's simulator session: the participant's user id on channel "simulator"."""
SENDABLE_MEDIA = ("photo", "document", "voice", "sticker", "location")
SIMULATED_LOCATION = {"lat": 19.07, "lon": 72.87}


class SimulatorError(Exception):
    """A request the simulator cannot do; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def session_of(data: Any) -> str:
    session = data.get("session") if isinstance(data, dict) else data
    if not isinstance(session, str) or not SESSION.match(session):
        raise SimulatorError("session: 8-64 letters, digits, - or _")
    return session


def language_of(data: dict[str, Any]) -> str | None:
    language = data.get("language")
    return language if isinstance(language, str) and len(language) <= 16 else None


def simulator_event(data: dict[str, Any]) -> Inbound | None:
    """A message, a tapped inline button or a pretend attachment; None for anything else."""
    language = language_of(data)
    if isinstance(data.get("button"), str):
        return Inbound.button(data["button"][:64], language)
    if isinstance(data.get("text"), str) and data["text"].strip():
        return Inbound.message(data["text"][:MAX_INPUT], language)
    if data.get("media") == "location":
        return Inbound.attachment("location", dict(SIMULATED_LOCATION), language)
    if data.get("media") in SENDABLE_MEDIA:
        return Inbound.attachment(str(data["media"]), f"simulator-{data['media']}", language)
    return None

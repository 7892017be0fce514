"""What comes in (an inbound event) and what goes out (outbound messages), channel-neutral."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from engine.core.vocabulary import KeyboardKind

InboundKind = Literal["text", "button", "command", "media", "timeout", "enter"]
"""`enter` is made only by the web simulator (a designer picking a flow and entry point); no
Telegram update ever becomes one."""


@dataclass(frozen=True)
class Inbound:
    """One thing a participant did (or a timer that fired)."""

    kind: InboundKind
    text: str = ""
    """Typed text; a button's callback data; a command's name without the slash."""
    payload: str = ""
    """A command's argument: `/start feedback` has payload "feedback"."""
    media: str = ""
    """For kind media: photo, document, audio, video, voice, sticker, location, contact, ..."""
    value: Any = None
    """For media: a file id, or {"lat":..,"lon":..} for a location. Never a phone number."""
    language_code: str | None = None
    """The channel's idea of the user's language (Telegram's language_code)."""
    node: str = ""
    """For kind timeout: the "flow:node" the timer was set at (stale timers are ignored); for
    kind enter: the "flow:node" to start at (the flow's start or one of its entry points)."""

    @staticmethod
    def message(text: str, language_code: str | None = None) -> Inbound:
        """Typed text; a leading "/" makes it a command."""
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, payload = stripped[1:].partition(" ")
            return Inbound(
                "command", name.split("@")[0].lower(), payload.strip(), language_code=language_code
            )
        return Inbound("text", text, language_code=language_code)

    @staticmethod
    def button(data: str, language_code: str | None = None) -> Inbound:
        return Inbound("button", data, language_code=language_code)

    @staticmethod
    def attachment(media: str, value: Any = None, language_code: str | None = None) -> Inbound:
        return Inbound("media", media=media, value=value, language_code=language_code)

    @staticmethod
    def timer(node: str) -> Inbound:
        return Inbound("timeout", node=node)

    @staticmethod
    def enter(flow: str, node: str, language_code: str | None = None) -> Inbound:
        """Start over in `flow` at `node` (the simulator's picker), in `language_code` when the
        flow has it."""
        return Inbound("enter", node=f"{flow}:{node}", language_code=language_code)


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""
    """Callback data for inline keyboards (at most 64 bytes)."""
    request: str | None = None
    """"location" asks the channel for the user's location (Telegram: request_location)."""


@dataclass(frozen=True)
class Outbound:
    """One message to send: text, or a media item with its caption in `text`."""

    text: str = ""
    media_kind: str | None = None
    media: str | None = None
    """A URL or a Telegram file_id as written in the flow."""
    path: str | None = None
    """A local file to upload when the flow named one beside it."""
    keyboard: KeyboardKind | None = None
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)

    def with_keyboard(self, kind: KeyboardKind, rows: tuple[tuple[Button, ...], ...]) -> Outbound:
        return Outbound(self.text, self.media_kind, self.media, self.path, kind, rows)

"""What every ask type has: a checker, the buttons it adds, and what input it wants.

An ask type is one module in this package (goflow style): `text`, `number` (and `integer`),
`regex`, `yes_no`, `date`, `location`, `photo`. The runtime, the keyboards and validation ask the
registry (`engine.core.asks.ASKS`) instead of special-casing a type by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.core.events import Button, Inbound

Words = Callable[[str], str]
"""A built-in text in the participant's language by key ("yes", "share_location", ...)."""

Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Checked:
    ok: bool
    value: Any = None
    reason: str = ""
    """Why an answer was refused: a key of the built-in texts (e.g. "retry_number")."""


def refuse(reason: str) -> Checked:
    return Checked(False, reason=reason)


def _no_buttons(words: Words, tag: str) -> Rows:
    return ()


def _no_button_answers(code: str) -> Inbound | None:
    return None


@dataclass(frozen=True)
class AskType:
    """One ask type's knowledge, in one place."""

    name: str
    check: Callable[[Inbound, Mapping[str, Any], Words], Checked]
    """Check one answer against the ask's options; `Words` gives the flow's own words."""
    retry: str
    """The built-in text (key) that says what is wanted, when the flow gives no `retry`."""
    wants_media: bool = False
    """True when the answer is a photo or a location, not typed text."""
    buttons: Callable[[Words, str], Rows] = _no_buttons
    """Buttons the ask adds under the question (given the node's tag for callback data)."""
    reply_keyboard: bool = False
    """Telegram can ask for this answer only from a reply keyboard (location)."""
    button_answer: Callable[[str], Inbound | None] = _no_button_answers
    """An inline button's code (after "<tag>:") as the answer it stands for; None if not one."""

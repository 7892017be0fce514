"""The engine's shared vocabulary, one source for each word: media kinds, keyboard kinds, the
`{var}` template pattern, "did you mean" suggestions, and the kinds of interaction recorded.

The dashboard and exports filter on `InteractionKind`; flow designers meet `MEDIA_KINDS` and the
`{var}` pattern in the flow format (docs/flow-format.md).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

MEDIA_KINDS = ("photo", "document", "audio", "video", "voice")
"""The keys that make a `say` item a media item (the value is a URL, file_id or local path)."""

FlowKeyboard = Literal["reply", "inline"]
"""A flow's `keyboard`: a persistent reply keyboard, or buttons under the message."""

KeyboardKind = Literal["reply", "inline", "remove"]
"""The keyboard a message carries: a flow keyboard, or "remove" to take the reply keyboard away."""

VARIABLE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
"""`{name}` in a text inserts the participant's saved variable `name`."""


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A hint naming the option closest to a misspelt `word` ("did you mean 'x'?"), or ""."""
    close = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


class InteractionKind(StrEnum):
    """What one recorded interaction was (the `kind` column of the interaction table)."""

    START = "start"
    """/start, or a first message: the main flow's start."""
    ENTRY = "entry"
    """/start PAYLOAD entering at one of the flow's entry points."""
    RESTART = "restart"
    EXPIRED = "expired"
    """Back after the flow's expire_after: greeted and started again."""
    BACK = "back"
    CHOICE = "choice"
    ANSWER = "answer"
    """An ask's answer, checked and saved."""
    RETRY = "retry"
    """An answer the ask's check refused; the question stays."""
    INVALID_CHOICE = "invalid_choice"
    STALE_BUTTON = "stale_button"
    UNEXPECTED_MEDIA = "unexpected_media"
    UNKNOWN_COMMAND = "unknown_command"
    LANGUAGE = "language"
    """/language: the language menu shown."""
    LANGUAGE_SET = "language_set"
    TIMEOUT = "timeout"
    TIMEOUT_STALE = "timeout_stale"
    """A timeout that no longer applies (the participant moved on)."""
    MENU_CHANGED = "menu_changed"
    """A reply meant for a node a new revision removed: told so, shown where they are now."""
    MIGRATED = "migrated"
    """Moved to a new revision of the flow (from/to and the reason)."""
    RESET = "reset"
    """The console's --fresh: position and path cleared."""
    SEND_FAILED = "send_failed"
    """A reply the Bot API refused for good."""
    IMPORTED = "imported"
    """History brought over from the old CLIxChat."""

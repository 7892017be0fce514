"""`photo`: a photo sent from the phone; its Telegram file_id is saved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.asks.base import AskType, Checked, Words, refuse
from engine.core.events import Inbound


def check(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    if event.kind == "media" and event.media == "photo" and event.value:
        return Checked(True, str(event.value))
    return refuse("retry_photo")


PHOTO = AskType("photo", check, retry="retry_photo", wants_media=True)

"""Bot API calls as aiogram methods; their errors as (code, description), no personal data."""

from __future__ import annotations

import re
from typing import Any

from aiogram import exceptions as tg
from aiogram.methods import (
    AnswerCallbackQuery,
    SendAudio,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.methods.base import Response
from aiogram.types import Message

# aiogram parses every answer as Response[<returned type>]; pydantic keeps those generic classes
# only weakly, so the collector drops them and each send rebuilt one (10-14% of a worker's CPU,
# measured with bench/webhook.py). Strong references keep them built once.
_PINNED_RESPONSES = (Response[Message], Response[bool])

METHODS: dict[str, type[TelegramMethod[Any]]] = {
    "sendMessage": SendMessage,
    "sendPhoto": SendPhoto,
    "sendDocument": SendDocument,
    "sendAudio": SendAudio,
    "sendVideo": SendVideo,
    "sendVoice": SendVoice,
    "answerCallbackQuery": AnswerCallbackQuery,
}
_CODES: tuple[tuple[type[tg.TelegramAPIError], int], ...] = (
    (tg.TelegramBadRequest, 400),
    (tg.TelegramUnauthorizedError, 401),
    (tg.TelegramForbiddenError, 403),
    (tg.TelegramNotFound, 404),
    (tg.TelegramConflictError, 409),
    (tg.TelegramEntityTooLarge, 413),
    (tg.TelegramServerError, 500),
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


def describe(error: BaseException) -> tuple[int, str]:
    """An error as (code, description), without chat ids or quoted message text."""
    if isinstance(error, tg.TelegramRetryAfter):
        return 429, f"Too Many Requests: retry after {error.retry_after}"
    if isinstance(error, tg.TelegramMigrateToChat):
        return 400, "Bad Request: group chat was upgraded to a supergroup chat"
    if isinstance(error, tg.TelegramAPIError):
        code = next((c for kind, c in _CODES if isinstance(error, kind)), 0)
        return code, _QUOTED.sub("…", error.message)[:200]
    return 0, type(error).__name__


def file_id_of(message: Any) -> str | None:
    """The file_id Telegram gave an uploaded file (the largest size of a photo)."""
    if not isinstance(message, Message):
        return None
    if message.photo:
        return message.photo[-1].file_id
    for media in (message.document, message.audio, message.video, message.voice):
        if media is not None:
            return media.file_id
    return None

"""Outbound messages as Bot API calls: keyboards, text, media by URL, file_id or local file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.types import (
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from engine.core.events import Outbound

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

SEND_METHOD = {
    None: "sendMessage",
    "photo": "sendPhoto",
    "document": "sendDocument",
    "audio": "sendAudio",
    "video": "sendVideo",
    "voice": "sendVoice",
}


def markup(message: Outbound) -> Markup | None:
    """Reply keyboards are resized, one row per choice, Back and Restart together at the end."""
    if message.keyboard == "remove":
        return ReplyKeyboardRemove()
    if message.keyboard == "inline":
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [InlineKeyboardButton(text=b.label, callback_data=b.data) for b in row]
                for row in message.buttons
            ]
        )
    if message.keyboard == "reply":
        return ReplyKeyboardMarkup(
            keyboard=[
                [
                    KeyboardButton(text=b.label, request_location=b.request == "location" or None)
                    for b in row
                ]
                for row in message.buttons
            ],
            resize_keyboard=True,
        )
    return None


@dataclass(frozen=True)
class Call:
    """One Bot API call: its method and parameters (aiogram objects where aiogram wants them)."""

    method: str
    params: dict[str, Any]
    upload_key: str | None = None
    """Set when a local file is uploaded: the key under which to remember Telegram's file_id."""


def call_for(chat_id: int, message: Outbound, file_ids: dict[str, str] | None = None) -> Call:
    method = SEND_METHOD.get(message.media_kind, "sendDocument")
    params: dict[str, Any] = {"chat_id": chat_id}
    keyboard = markup(message)
    if keyboard is not None:
        params["reply_markup"] = keyboard
    if message.media_kind is None:
        params["text"] = message.text or "…"
        return Call(method, params)
    if message.text:
        params["caption"] = message.text
    upload_key = None
    if message.path:
        known = (file_ids or {}).get(message.path)
        if known:
            params[message.media_kind] = known
        else:
            params[message.media_kind] = FSInputFile(message.path)
            upload_key = message.path
    else:
        params[message.media_kind] = message.media
    return Call(method, params, upload_key)


def webhook_answer(call: Call) -> dict[str, Any] | None:
    """The call as a webhook response body (Telegram runs it); None when it uploads a file."""
    if call.upload_key is not None:
        return None
    body: dict[str, Any] = {"method": call.method}
    for key, value in call.params.items():
        body[key] = value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value
    return body

"""Read a Telegram Update (aiogram's types) as an engine event, keeping no personal data."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import Message, Update

from engine.core.events import Inbound

MEDIA_FIELDS = (
    "photo",
    "document",
    "audio",
    "video",
    "voice",
    "video_note",
    "animation",
    "sticker",
    "location",
    "contact",
)


@dataclass(frozen=True)
class Incoming:
    """What one update means for the bot. Names, usernames and phone numbers are dropped here."""

    update_id: int
    user_id: int | None = None
    chat_id: int | None = None
    chat_type: str = "private"
    event: Inbound | None = None
    ignored: str | None = None
    """Why nothing goes to the engine: edited, unsupported, no_user, group, ..."""
    callback_query_id: str | None = None
    active: bool | None = None
    """my_chat_member: False when the user blocked the bot, True when they came back."""

    @property
    def is_group(self) -> bool:
        return self.chat_type in ("group", "supergroup", "channel")


def _media(message: Message) -> Inbound | None:
    language = message.from_user.language_code if message.from_user else None
    for name in MEDIA_FIELDS:
        value = getattr(message, name, None)
        if not value:
            continue
        if name == "photo":
            return Inbound.attachment("photo", value[-1].file_id, language)
        if name == "location":
            return Inbound.attachment(
                "location", {"lat": value.latitude, "lon": value.longitude}, language
            )
        if name == "contact":
            return Inbound.attachment("contact", None, language)  # never the phone number
        kind = "video" if name == "video_note" else "document" if name == "animation" else name
        return Inbound.attachment(kind, getattr(value, "file_id", None), language)
    return None


def interpret(update: Update) -> Incoming:
    """Turn an Update into an Incoming; unknown kinds of update are ignored, never an error."""
    if update.message is not None:
        message = update.message
        user = message.from_user
        if user is None:
            return Incoming(update.update_id, ignored="no_user")
        event = (
            Inbound.message(message.text, user.language_code)
            if message.text is not None
            else _media(message)
        )
        return Incoming(
            update.update_id,
            user_id=user.id,
            chat_id=message.chat.id,
            chat_type=message.chat.type,
            event=event,
            ignored=None if event is not None else "unsupported_message",
        )
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        return Incoming(
            update.update_id,
            user_id=query.from_user.id,
            chat_id=chat.id if chat else query.from_user.id,
            chat_type=chat.type if chat else "private",
            event=Inbound.button(query.data or "", query.from_user.language_code),
            callback_query_id=query.id,
        )
    if update.edited_message is not None:
        edited = update.edited_message
        return Incoming(
            update.update_id,
            user_id=edited.from_user.id if edited.from_user else None,
            chat_id=edited.chat.id,
            chat_type=edited.chat.type,
            ignored="edited",
        )
    if update.my_chat_member is not None:
        member = update.my_chat_member
        status = member.new_chat_member.status
        return Incoming(
            update.update_id,
            user_id=member.from_user.id,
            chat_id=member.chat.id,
            chat_type=member.chat.type,
            ignored="membership",
            active=status not in ("kicked", "left"),
        )
    return Incoming(update.update_id, ignored="unsupported_update")

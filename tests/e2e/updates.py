"""Factories for Telegram ``Update`` objects, shaped exactly as Telegram delivers them.

Every function returns a plain ``dict`` (what the webhook body or ``getUpdates`` carries), ready to
``json.dumps`` into a ``POST /bot/`` or to queue with ``BotApiDouble.push_update``. All of them
parse with ``aiogram.types.Update.model_validate``.

``update_id`` may be an ``int`` or an :class:`UpdateIds` counter (which then hands out the next id).
Message ids of inbound messages come from a process-wide counter unless ``message_id`` is given.
Names are fake; the contact factory carries a phone number precisely so that tests can check the app
never stores it.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Iterator
from typing import Any, Literal

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "UpdateIds",
    "audio",
    "bot_user",
    "callback_query",
    "command",
    "contact",
    "document",
    "edited_message",
    "group_message",
    "location",
    "message",
    "my_chat_member",
    "photo",
    "sticker",
    "user",
    "video",
    "voice",
]

JSON = dict[str, Any]
ChatType = Literal["private", "group", "supergroup"]

#: The bot the double answers as for the token ``"123:ABC"``.
BOT_ID = 123
BOT_USERNAME = "clixchat_test_bot"
BOT_FIRST_NAME = "CLIxChat Test"

DEFAULT_GROUP_ID = -4_012_345_678
DEFAULT_SUPERGROUP_ID = -1_001_234_567_890

_message_ids = itertools.count(1001)
_callback_ids = itertools.count(1)
_file_serial = itertools.count(1)


class UpdateIds:
    """A counter of update ids: ``ids = UpdateIds(); message(ids, 42, "hi")`` or ``ids()``."""

    def __init__(self, start: int = 1) -> None:
        self._next = start

    def __call__(self) -> int:
        value = self._next
        self._next += 1
        return value

    def __next__(self) -> int:
        return self()

    def __iter__(self) -> Iterator[int]:
        return self

    @property
    def last(self) -> int:
        """The id handed out most recently (``start - 1`` before the first)."""
        return self._next - 1

    def peek(self) -> int:
        """The id the next call will hand out."""
        return self._next


UpdateId = int | UpdateIds


def _uid(update_id: UpdateId) -> int:
    return update_id() if isinstance(update_id, UpdateIds) else update_id


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _now() -> int:
    return int(time.time())


def _file_ids(kind_prefix: str, seed: str | None = None) -> tuple[str, str]:
    """A (file_id, file_unique_id) pair that looks like Telegram's and is unique per call."""
    token = seed if seed is not None else f"{kind_prefix}-{next(_file_serial)}-{time.time_ns()}"
    digest = hashlib.sha256(token.encode()).hexdigest()
    return f"{kind_prefix}AgADBAADs{digest[:40]}", f"AgAD{digest[40:52]}"


def user(
    user_id: int,
    first_name: str = "Asha",
    username: str | None = "asha_t",
    language_code: str | None = "en",
    *,
    last_name: str | None = None,
    is_bot: bool = False,
) -> JSON:
    """A Telegram ``User``."""
    result: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name is not None:
        result["last_name"] = last_name
    if username is not None:
        result["username"] = username
    if language_code is not None:
        result["language_code"] = language_code
    return result


def bot_user(bot_id: int = BOT_ID, username: str = BOT_USERNAME) -> JSON:
    """The bot as a ``User`` (the ``from`` of messages the bot sent)."""
    return {"id": bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": username}


def _chat(
    user_id: int,
    chat_id: int | None,
    chat_type: ChatType,
    first_name: str,
    username: str | None,
    title: str | None,
) -> JSON:
    if chat_type == "private":
        chat: JSON = {"id": chat_id if chat_id is not None else user_id, "type": "private"}
        chat["first_name"] = first_name
        if username is not None:
            chat["username"] = username
        return chat
    default_id = DEFAULT_SUPERGROUP_ID if chat_type == "supergroup" else DEFAULT_GROUP_ID
    return {
        "id": chat_id if chat_id is not None else default_id,
        "type": chat_type,
        "title": title if title is not None else "CLIx teachers",
    }


def _message_body(
    user_id: int,
    *,
    chat_id: int | None,
    chat_type: ChatType,
    language_code: str | None,
    first_name: str,
    username: str | None,
    message_id: int | None,
    date: int | None,
    title: str | None,
) -> JSON:
    return {
        "message_id": message_id if message_id is not None else next(_message_ids),
        "from": user(user_id, first_name, username, language_code),
        "chat": _chat(user_id, chat_id, chat_type, first_name, username, title),
        "date": date if date is not None else _now(),
    }


def message(
    update_id: UpdateId,
    user_id: int,
    text: str,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    *,
    message_id: int | None = None,
    date: int | None = None,
    entities: list[JSON] | None = None,
    title: str | None = None,
) -> JSON:
    """A text ``message`` update."""
    body = _message_body(
        user_id,
        chat_id=chat_id,
        chat_type=chat_type,
        language_code=language_code,
        first_name=first_name,
        username=username,
        message_id=message_id,
        date=date,
        title=title,
    )
    body["text"] = text
    if entities:
        body["entities"] = entities
    return {"update_id": _uid(update_id), "message": body}


def command(
    update_id: UpdateId,
    user_id: int,
    command: str = "/start",
    payload: str | None = None,
    *,
    bot_username: str | None = None,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
    title: str | None = None,
) -> JSON:
    """A command message: ``/start``, ``/start PAYLOAD``, ``/language``, ``/start@bot`` in groups.

    The text starts with a ``bot_command`` entity covering ``/name`` (and ``@bot_username``).
    """
    name = command if command.startswith("/") else f"/{command}"
    if bot_username:
        name = f"{name}@{bot_username}"
    text = name if payload is None else f"{name} {payload}"
    entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(name)}
    return message(
        update_id,
        user_id,
        text,
        chat_id,
        language_code,
        first_name,
        username,
        chat_type,
        message_id=message_id,
        date=date,
        entities=[entity],
        title=title,
    )


def group_message(
    update_id: UpdateId,
    user_id: int,
    text: str,
    chat_id: int = DEFAULT_SUPERGROUP_ID,
    *,
    chat_type: Literal["group", "supergroup"] = "supergroup",
    title: str = "CLIx teachers",
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A text message in a group or supergroup (chat id negative, chat has a title)."""
    return message(
        update_id,
        user_id,
        text,
        chat_id,
        language_code,
        first_name,
        username,
        chat_type,
        message_id=message_id,
        date=date,
        title=title,
    )


def edited_message(
    update_id: UpdateId,
    user_id: int,
    text: str,
    message_id: int | None = None,
    chat_id: int | None = None,
    *,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    date: int | None = None,
    edit_date: int | None = None,
    title: str | None = None,
) -> JSON:
    """An ``edited_message`` update (a user changed a text they had sent)."""
    body = _message_body(
        user_id,
        chat_id=chat_id,
        chat_type=chat_type,
        language_code=language_code,
        first_name=first_name,
        username=username,
        message_id=message_id,
        date=date if date is not None else _now() - 30,
        title=title,
    )
    body["edit_date"] = edit_date if edit_date is not None else body["date"] + 30
    body["text"] = text
    return {"update_id": _uid(update_id), "edited_message": body}


def _media_message(
    update_id: UpdateId,
    user_id: int,
    content: JSON,
    caption: str | None,
    *,
    chat_id: int | None,
    language_code: str | None,
    first_name: str,
    username: str | None,
    chat_type: ChatType,
    message_id: int | None,
    date: int | None,
) -> JSON:
    body = _message_body(
        user_id,
        chat_id=chat_id,
        chat_type=chat_type,
        language_code=language_code,
        first_name=first_name,
        username=username,
        message_id=message_id,
        date=date,
        title=None,
    )
    body.update(content)
    if caption is not None:
        body["caption"] = caption
    return {"update_id": _uid(update_id), "message": body}


def photo(
    update_id: UpdateId,
    user_id: int,
    caption: str | None = None,
    *,
    file_id: str | None = None,
    width: int = 1280,
    height: int = 960,
    file_size: int = 98_304,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A photo message: ``photo`` is an array of ``PhotoSize``, smallest first.

    ``file_id`` (e.g. from ``BotApiDouble.add_file(..., kind="photo")``) names the largest size.
    """
    sizes: list[JSON] = []
    scales = (90 / max(width, height), 320 / max(width, height), 1.0)
    for index, scale in enumerate(scales):
        is_largest = index == len(scales) - 1
        fid, fuid = _file_ids("AgAC")
        if is_largest and file_id is not None:
            fid = file_id
        sizes.append(
            {
                "file_id": fid,
                "file_unique_id": fuid,
                "file_size": max(1, int(file_size * scale * scale)),
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
            }
        )
    return _media_message(
        update_id,
        user_id,
        {"photo": sizes},
        caption,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def document(
    update_id: UpdateId,
    user_id: int,
    file_name: str = "lesson-plan.pdf",
    mime_type: str = "application/pdf",
    caption: str | None = None,
    *,
    file_id: str | None = None,
    file_size: int = 123_456,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A document (any file) message."""
    fid, fuid = _file_ids("BQAC")
    doc: JSON = {
        "file_id": file_id if file_id is not None else fid,
        "file_unique_id": fuid,
        "file_name": file_name,
        "mime_type": mime_type,
        "file_size": file_size,
    }
    return _media_message(
        update_id,
        user_id,
        {"document": doc},
        caption,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def voice(
    update_id: UpdateId,
    user_id: int,
    duration: int = 3,
    *,
    file_id: str | None = None,
    file_size: int = 8_192,
    caption: str | None = None,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A voice note (OGG/Opus) message."""
    fid, fuid = _file_ids("AwAC")
    content: JSON = {
        "voice": {
            "file_id": file_id if file_id is not None else fid,
            "file_unique_id": fuid,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": file_size,
        }
    }
    return _media_message(
        update_id,
        user_id,
        content,
        caption,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def audio(
    update_id: UpdateId,
    user_id: int,
    duration: int = 95,
    *,
    title: str | None = "Recording",
    performer: str | None = None,
    file_name: str = "recording.mp3",
    file_id: str | None = None,
    file_size: int = 1_520_000,
    caption: str | None = None,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """An audio (music file) message."""
    fid, fuid = _file_ids("CQAC")
    item: JSON = {
        "file_id": file_id if file_id is not None else fid,
        "file_unique_id": fuid,
        "duration": duration,
        "file_name": file_name,
        "mime_type": "audio/mpeg",
        "file_size": file_size,
    }
    if title is not None:
        item["title"] = title
    if performer is not None:
        item["performer"] = performer
    return _media_message(
        update_id,
        user_id,
        {"audio": item},
        caption,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def video(
    update_id: UpdateId,
    user_id: int,
    duration: int = 12,
    *,
    width: int = 1280,
    height: int = 720,
    file_id: str | None = None,
    file_size: int = 2_400_000,
    caption: str | None = None,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A video message."""
    fid, fuid = _file_ids("BAAC")
    item: JSON = {
        "file_id": file_id if file_id is not None else fid,
        "file_unique_id": fuid,
        "width": width,
        "height": height,
        "duration": duration,
        "file_name": "video.mp4",
        "mime_type": "video/mp4",
        "file_size": file_size,
    }
    return _media_message(
        update_id,
        user_id,
        {"video": item},
        caption,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def sticker(
    update_id: UpdateId,
    user_id: int,
    emoji: str = "👍",
    *,
    file_id: str | None = None,
    set_name: str = "HotCherry",
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A (static, regular) sticker message."""
    fid, fuid = _file_ids("CAAC")
    item: JSON = {
        "file_id": file_id if file_id is not None else fid,
        "file_unique_id": fuid,
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
        "set_name": set_name,
        "file_size": 24_576,
    }
    return _media_message(
        update_id,
        user_id,
        {"sticker": item},
        None,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def location(
    update_id: UpdateId,
    user_id: int,
    lat: float,
    lon: float,
    *,
    horizontal_accuracy: float | None = None,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A location message (the user shared a point)."""
    point: JSON = {"latitude": lat, "longitude": lon}
    if horizontal_accuracy is not None:
        point["horizontal_accuracy"] = horizontal_accuracy
    return _media_message(
        update_id,
        user_id,
        {"location": point},
        None,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def contact(
    update_id: UpdateId,
    user_id: int,
    phone_number: str = "+919876543210",
    *,
    contact_first_name: str | None = None,
    contact_last_name: str | None = "Sharma",
    contact_user_id: int | None = None,
    chat_id: int | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    chat_type: ChatType = "private",
    message_id: int | None = None,
    date: int | None = None,
) -> JSON:
    """A shared contact (by default the user's own, as a "share my number" button sends).

    It carries a phone number and names: the app must never store them.
    """
    card: JSON = {
        "phone_number": phone_number,
        "first_name": contact_first_name if contact_first_name is not None else first_name,
        "user_id": contact_user_id if contact_user_id is not None else user_id,
    }
    if contact_last_name is not None:
        card["last_name"] = contact_last_name
    return _media_message(
        update_id,
        user_id,
        {"contact": card},
        None,
        chat_id=chat_id,
        language_code=language_code,
        first_name=first_name,
        username=username,
        chat_type=chat_type,
        message_id=message_id,
        date=date,
    )


def callback_query(
    update_id: UpdateId,
    user_id: int,
    data: str,
    message_id: int = 1,
    chat_id: int | None = None,
    *,
    message_text: str = "Choose a topic.",
    reply_markup: JSON | None = None,
    query_id: str | None = None,
    chat_instance: str | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    bot_id: int = BOT_ID,
    date: int | None = None,
) -> JSON:
    """A tap on an inline button: ``callback_query`` with the bot's message it sits under.

    ``message_id`` should be the id of a message the bot sent (e.g. from
    ``BotApiDouble.sent(chat_id)[-1].message_id``; the double numbers each chat from 1).
    """
    chat: JSON = {"id": chat_id if chat_id is not None else user_id, "type": "private"}
    chat["first_name"] = first_name
    if username is not None:
        chat["username"] = username
    bot_message: JSON = {
        "message_id": message_id,
        "from": bot_user(bot_id),
        "chat": chat,
        "date": date if date is not None else _now() - 5,
        "text": message_text,
    }
    if reply_markup is not None:
        bot_message["reply_markup"] = reply_markup
    query: JSON = {
        "id": query_id
        if query_id is not None
        else str(4_382_000_000_000_000_000 + next(_callback_ids)),
        "from": user(user_id, first_name, username, language_code),
        "message": bot_message,
        "chat_instance": chat_instance
        if chat_instance is not None
        else str(-(7_000_000_000_000_000_000 + abs(chat["id"]))),
        "data": data,
    }
    return {"update_id": _uid(update_id), "callback_query": query}


_MEMBER_STATUSES = ("member", "kicked", "left")


def my_chat_member(
    update_id: UpdateId,
    user_id: int,
    status: Literal["kicked", "member", "left"] = "kicked",
    *,
    old_status: Literal["kicked", "member", "left"] | None = None,
    language_code: str | None = "en",
    first_name: str = "Asha",
    username: str | None = "asha_t",
    bot_id: int = BOT_ID,
    date: int | None = None,
) -> JSON:
    """The user blocked (``kicked``) or unblocked (``member``) the bot in a private chat."""
    if status not in _MEMBER_STATUSES:
        raise ValueError(f"status must be one of {_MEMBER_STATUSES}, not {status!r}")
    previous = (
        old_status if old_status is not None else ("member" if status != "member" else "kicked")
    )

    def member(state: str) -> JSON:
        entry: JSON = {"status": state, "user": bot_user(bot_id)}
        if state == "kicked":
            entry["until_date"] = 0
        return entry

    chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
    if username is not None:
        chat["username"] = username
    return {
        "update_id": _uid(update_id),
        "my_chat_member": {
            "chat": chat,
            "from": user(user_id, first_name, username, language_code),
            "date": date if date is not None else _now(),
            "old_chat_member": member(previous),
            "new_chat_member": member(status),
        },
    }

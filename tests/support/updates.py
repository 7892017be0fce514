"""Factories for Telegram ``Update`` objects, shaped exactly as Telegram delivers them.

Every function returns a plain ``dict`` (what the webhook body or ``getUpdates`` carries), ready to
``json.dumps`` into a ``POST /bot/`` or to queue with ``BotApiDouble.push_update``. All of them
parse with ``aiogram.types.Update.model_validate``.

``update_id`` may be an ``int`` or an :class:`UpdateIds` counter (which then hands out the next id).
Message ids of inbound messages come from a process-wide counter unless ``message_id`` is given.
The sender keyword arguments (``first_name``, ``username``, ``language_code``, ``date`` and, where
the factory takes them, ``chat_id``, ``chat_type``, ``message_id``, ``title``) are gathered into
one :class:`Sender`; :class:`SenderArgs` and its kin say which ones each factory accepts.
Names are fake; the contact factory carries a phone number precisely so that tests can check the app
never stores it.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, Unpack

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "EditArgs",
    "GroupArgs",
    "MediaArgs",
    "MessageArgs",
    "Sender",
    "SenderArgs",
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


class SenderArgs(TypedDict, total=False):
    """The sender keyword arguments every factory takes (defaults: those of :class:`Sender`)."""

    first_name: str
    username: str | None
    language_code: str | None
    date: int | None


class _ChatTypeArg(TypedDict, total=False):
    chat_type: ChatType


class _TitleArg(TypedDict, total=False):
    title: str | None


class GroupArgs(SenderArgs, total=False):
    """:func:`group_message`'s: the sender's, and the message's own id."""

    message_id: int | None


class MediaArgs(GroupArgs, _ChatTypeArg, total=False):
    """The media factories': the sender's, the message id and the chat it is sent in."""

    chat_id: int | None


class MessageArgs(MediaArgs, _TitleArg, total=False):
    """:func:`message`'s and :func:`command`'s: the media factories', and a group's title."""


class EditArgs(SenderArgs, _ChatTypeArg, _TitleArg, total=False):
    """:func:`edited_message`'s (its ``message_id`` and ``chat_id`` are positional)."""


@dataclass(frozen=True)
class Sender:
    """Who sends an inbound message, in which chat, under which message id and date.

    ``chat_id`` defaults to the user's private chat (``user_id``) or to a default group for
    the group chat types; ``message_id`` to the process-wide counter; ``date`` to now.
    """

    user_id: int
    first_name: str = "Asha"
    username: str | None = "asha_t"
    language_code: str | None = "en"
    date: int | None = None
    chat_id: int | None = None
    chat_type: ChatType = "private"
    message_id: int | None = None
    title: str | None = None

    def from_user(self) -> JSON:
        """The sender as a ``User`` (the ``from`` of what they send)."""
        return user(self.user_id, self.first_name, self.username, self.language_code)

    def chat(self) -> JSON:
        """The ``Chat``: the private chat named after the user, or a group with a title."""
        if self.chat_type == "private":
            chat: JSON = {
                "id": self.chat_id if self.chat_id is not None else self.user_id,
                "type": "private",
                "first_name": self.first_name,
            }
            if self.username is not None:
                chat["username"] = self.username
            return chat
        default_id = DEFAULT_SUPERGROUP_ID if self.chat_type == "supergroup" else DEFAULT_GROUP_ID
        return {
            "id": self.chat_id if self.chat_id is not None else default_id,
            "type": self.chat_type,
            "title": self.title if self.title is not None else "CLIx teachers",
        }

    def sent_at(self, ago: int = 0) -> int:
        """``date``, or ``ago`` seconds before now."""
        return self.date if self.date is not None else _now() - ago

    def message(self, ago: int = 0) -> JSON:
        """The head of a ``Message`` from the sender: id, ``from``, ``chat`` and ``date``."""
        return {
            "message_id": self.message_id if self.message_id is not None else next(_message_ids),
            "from": self.from_user(),
            "chat": self.chat(),
            "date": self.sent_at(ago),
        }


def _sent(update_id: UpdateId, sender: Sender, content: JSON, caption: str | None = None) -> JSON:
    """A ``message`` update: the sender's message with ``content`` (and ``caption``)."""
    body = sender.message()
    body.update(content)
    if caption is not None:
        body["caption"] = caption
    return {"update_id": _uid(update_id), "message": body}


def _file_item(kind_prefix: str, file_id: str | None, **fields: Any) -> JSON:
    """A file object (``PhotoSize``, ``Document``, ``Voice``, …): fresh ids, then ``fields``.

    ``file_id`` (e.g. from ``BotApiDouble.add_file``) replaces the generated id when given.
    """
    fid, fuid = _file_ids(kind_prefix)
    return {"file_id": file_id if file_id is not None else fid, "file_unique_id": fuid, **fields}


def message(
    update_id: UpdateId,
    user_id: int,
    text: str,
    *,
    entities: list[JSON] | None = None,
    **sender: Unpack[MessageArgs],
) -> JSON:
    """A text ``message`` update."""
    content: JSON = {"text": text}
    if entities:
        content["entities"] = entities
    return _sent(update_id, Sender(user_id, **sender), content)


def command(
    update_id: UpdateId,
    user_id: int,
    command: str = "/start",
    payload: str | None = None,
    *,
    bot_username: str | None = None,
    **sender: Unpack[MessageArgs],
) -> JSON:
    """A command message: ``/start``, ``/start PAYLOAD``, ``/language``, ``/start@bot`` in groups.

    The text starts with a ``bot_command`` entity covering ``/name`` (and ``@bot_username``).
    """
    name = command if command.startswith("/") else f"/{command}"
    if bot_username:
        name = f"{name}@{bot_username}"
    text = name if payload is None else f"{name} {payload}"
    entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(name)}
    return message(update_id, user_id, text, entities=[entity], **sender)


def group_message(
    update_id: UpdateId,
    user_id: int,
    text: str,
    chat_id: int = DEFAULT_SUPERGROUP_ID,
    *,
    chat_type: Literal["group", "supergroup"] = "supergroup",
    title: str = "CLIx teachers",
    **sender: Unpack[GroupArgs],
) -> JSON:
    """A text message in a group or supergroup (chat id negative, chat has a title)."""
    return message(
        update_id, user_id, text, chat_id=chat_id, chat_type=chat_type, title=title, **sender
    )


def edited_message(
    update_id: UpdateId,
    user_id: int,
    text: str,
    message_id: int | None = None,
    chat_id: int | None = None,
    *,
    edit_date: int | None = None,
    **sender: Unpack[EditArgs],
) -> JSON:
    """An ``edited_message`` update (a user changed a text they had sent)."""
    body = Sender(user_id, message_id=message_id, chat_id=chat_id, **sender).message(ago=30)
    body["edit_date"] = edit_date if edit_date is not None else body["date"] + 30
    body["text"] = text
    return {"update_id": _uid(update_id), "edited_message": body}


def photo(
    update_id: UpdateId,
    user_id: int,
    caption: str | None = None,
    *,
    file_id: str | None = None,
    width: int = 1280,
    height: int = 960,
    file_size: int = 98_304,
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A photo message: ``photo`` is an array of ``PhotoSize``, smallest first.

    ``file_id`` (e.g. from ``BotApiDouble.add_file(..., kind="photo")``) names the largest size.
    """
    scales = (90 / max(width, height), 320 / max(width, height), 1.0)
    sizes = [
        _file_item(
            "AgAC",
            file_id if index == len(scales) - 1 else None,
            file_size=max(1, int(file_size * scale * scale)),
            width=max(1, round(width * scale)),
            height=max(1, round(height * scale)),
        )
        for index, scale in enumerate(scales)
    ]
    return _sent(update_id, Sender(user_id, **sender), {"photo": sizes}, caption)


def document(
    update_id: UpdateId,
    user_id: int,
    file_name: str = "lesson-plan.pdf",
    mime_type: str = "application/pdf",
    caption: str | None = None,
    *,
    file_id: str | None = None,
    file_size: int = 123_456,
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A document (any file) message."""
    item = _file_item(
        "BQAC", file_id, file_name=file_name, mime_type=mime_type, file_size=file_size
    )
    return _sent(update_id, Sender(user_id, **sender), {"document": item}, caption)


def voice(
    update_id: UpdateId,
    user_id: int,
    duration: int = 3,
    *,
    file_id: str | None = None,
    file_size: int = 8_192,
    caption: str | None = None,
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A voice note (OGG/Opus) message."""
    item = _file_item(
        "AwAC", file_id, duration=duration, mime_type="audio/ogg", file_size=file_size
    )
    return _sent(update_id, Sender(user_id, **sender), {"voice": item}, caption)


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
    **sender: Unpack[MediaArgs],
) -> JSON:
    """An audio (music file) message (``title`` is the track's, not a chat's)."""
    item = _file_item(
        "CQAC",
        file_id,
        duration=duration,
        file_name=file_name,
        mime_type="audio/mpeg",
        file_size=file_size,
    )
    if title is not None:
        item["title"] = title
    if performer is not None:
        item["performer"] = performer
    return _sent(update_id, Sender(user_id, **sender), {"audio": item}, caption)


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
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A video message."""
    item = _file_item(
        "BAAC",
        file_id,
        width=width,
        height=height,
        duration=duration,
        file_name="video.mp4",
        mime_type="video/mp4",
        file_size=file_size,
    )
    return _sent(update_id, Sender(user_id, **sender), {"video": item}, caption)


def sticker(
    update_id: UpdateId,
    user_id: int,
    emoji: str = "👍",
    *,
    file_id: str | None = None,
    set_name: str = "HotCherry",
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A (static, regular) sticker message."""
    item = _file_item(
        "CAAC",
        file_id,
        type="regular",
        width=512,
        height=512,
        is_animated=False,
        is_video=False,
        emoji=emoji,
        set_name=set_name,
        file_size=24_576,
    )
    return _sent(update_id, Sender(user_id, **sender), {"sticker": item})


def location(
    update_id: UpdateId,
    user_id: int,
    lat: float,
    lon: float,
    *,
    horizontal_accuracy: float | None = None,
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A location message (the user shared a point)."""
    point: JSON = {"latitude": lat, "longitude": lon}
    if horizontal_accuracy is not None:
        point["horizontal_accuracy"] = horizontal_accuracy
    return _sent(update_id, Sender(user_id, **sender), {"location": point})


def contact(
    update_id: UpdateId,
    user_id: int,
    phone_number: str = "+919876543210",
    *,
    contact_first_name: str | None = None,
    contact_last_name: str | None = "Sharma",
    contact_user_id: int | None = None,
    **sender: Unpack[MediaArgs],
) -> JSON:
    """A shared contact (by default the user's own, as a "share my number" button sends).

    It carries a phone number and names: the app must never store them.
    """
    who = Sender(user_id, **sender)
    card: JSON = {
        "phone_number": phone_number,
        "first_name": contact_first_name if contact_first_name is not None else who.first_name,
        "user_id": contact_user_id if contact_user_id is not None else user_id,
    }
    if contact_last_name is not None:
        card["last_name"] = contact_last_name
    return _sent(update_id, who, {"contact": card})


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
    bot_id: int = BOT_ID,
    **sender: Unpack[SenderArgs],
) -> JSON:
    """A tap on an inline button: ``callback_query`` with the bot's message it sits under.

    ``message_id`` should be the id of a message the bot sent (e.g. from
    ``BotApiDouble.sent(chat_id)[-1].message_id``; the double numbers each chat from 1).
    """
    who = Sender(user_id, chat_id=chat_id, **sender)
    chat = who.chat()
    bot_message: JSON = {
        "message_id": message_id,
        "from": bot_user(bot_id),
        "chat": chat,
        "date": who.sent_at(ago=5),
        "text": message_text,
    }
    if reply_markup is not None:
        bot_message["reply_markup"] = reply_markup
    query: JSON = {
        "id": query_id
        if query_id is not None
        else str(4_382_000_000_000_000_000 + next(_callback_ids)),
        "from": who.from_user(),
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
    bot_id: int = BOT_ID,
    **sender: Unpack[SenderArgs],
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

    who = Sender(user_id, **sender)
    return {
        "update_id": _uid(update_id),
        "my_chat_member": {
            "chat": who.chat(),
            "from": who.from_user(),
            "date": who.sent_at(),
            "old_chat_member": member(previous),
            "new_chat_member": member(status),
        },
    }

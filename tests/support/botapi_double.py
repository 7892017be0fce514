"""A Telegram Bot API test double: a real HTTP server on 127.0.0.1 that answers like Telegram.

Point the app (``TELEGRAM_API_URL``) or an aiogram ``Bot`` at :attr:`BotApiDouble.url`::

    async with BotApiDouble(token="123:ABC") as api:
        bot = Bot("123:ABC", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        await bot.send_message(42, "hi")
        assert api.texts(42) == ["hi"]

or, from sync code, ``api = BotApiDouble().start(); ...; api.stop()`` (the server then runs on
its own event loop in a background thread; ``with BotApiDouble() as api:`` does the same).

What it does, like the real server:

* routes ``/bot{token}/{method}`` (GET or POST; method names are case-insensitive; a wrong token is
  401 ``Unauthorized``; an unknown method is 404 ``Not Found``) and ``/file/bot{token}/{path}``;
* reads form-urlencoded, JSON and multipart bodies; nested objects sent as JSON strings inside a
  form (``reply_markup``, ``entities``, ``media`` ...) are decoded in the recorded :class:`Call`,
  and scalars are typed (``"42"`` -> ``42``, ``"true"`` -> ``True``) except text-like fields;
* answers with real object shapes (Message, Chat, User, PhotoSize, Document, Audio, Video, Voice,
  WebhookInfo ...); message ids increase per chat from 1; media sends return a generated file_id
  (the same kind + bytes always give the same file_id) that later sends may reuse;
* checks what Telegram checks: empty or too long text (4096) and caption (1024), callback_data over
  64 bytes, unknown file_ids, getUpdates while a webhook is set (409), two concurrent getUpdates
  (409), webhook URL/secret/max_connections rules;
* covers the methods the app calls (sending text, media and locations, answering callbacks,
  getUpdates, the webhook methods, getMe, getFile); ``parse_mode`` is refused, since the app sends
  plain text and a change that starts sending markup should fail here, not pass unchecked;
* scripted trouble: :meth:`fail_next`, :meth:`fail_chat`, :meth:`limit_rate`, :meth:`set_latency`,
  :meth:`respond`.

Everything is recorded in :attr:`BotApiDouble.calls`, failed calls included (``Call.status``).
Times (``Call.at``) are ``time.monotonic()`` at arrival.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import mimetypes
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeAlias, TypeVar, overload

from aiohttp import web

__all__ = ["BOT_FIRST_NAME", "BOT_USERNAME", "SEND_METHODS", "BotApiDouble", "Call"]

JSON = dict[str, Any]
ChatId = int | str
_T = TypeVar("_T")
#: What :meth:`BotApiDouble.wait_for` waits for: a number of sends, or a condition on the double.
Until: TypeAlias = "int | Callable[[BotApiDouble], Any]"

BOT_USERNAME = "clixchat_test_bot"
BOT_FIRST_NAME = "CLIxChat Test"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Methods that put a message into a chat (what Telegram's rate limits count).
SEND_METHODS = _words(
    """
    sendMessage sendPhoto sendAudio sendDocument sendVideo sendAnimation sendVoice
    sendVideoNote sendLocation sendSticker
    """
)

# method -> (parameter holding the file, kind of file)
_MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendAudio": "audio",
    "sendDocument": "document",
    "sendVideo": "video",
    "sendAnimation": "animation",
    "sendVoice": "voice",
    "sendVideoNote": "video_note",
    "sendSticker": "sticker",
}
_FILE_ID_PREFIX = {
    "photo": "AgAC",
    "audio": "CQAC",
    "document": "BQAC",
    "video": "BAAC",
    "animation": "CgAC",
    "voice": "AwAC",
    "video_note": "DQAC",
    "sticker": "CAAC",
}
_DEFAULT_MIME = {
    "photo": "image/jpeg",
    "audio": "audio/mpeg",
    "document": "application/octet-stream",
    "video": "video/mp4",
    "animation": "video/mp4",
    "voice": "audio/ogg",
    "video_note": "video/mp4",
    "sticker": "image/webp",
}
_FILE_EXT = {
    "photo": ".jpg",
    "audio": ".mp3",
    "video": ".mp4",
    "animation": ".mp4",
    "voice": ".oga",
    "video_note": ".mp4",
    "sticker": ".webp",
}
_PHOTO_SIZES = ((90, 90), (320, 320), (800, 800))

# Form fields that stay strings even when they look like JSON ("42", "true", "[1]").
_STRING_FIELDS = _words(
    """
    text caption callback_query_id inline_query_id inline_message_id query title description
    short_description secret_token url parse_mode action emoji address first_name last_name
    phone_number vcard name data file_id photo document audio video voice animation video_note
    sticker thumbnail performer question language_code ip_address payload currency
    start_parameter next_offset business_connection_id message_effect_id foursquare_id
    foursquare_type google_place_id google_place_type
    """
)
# Fields that carry nested objects; decoded when they arrive as JSON strings (even inside JSON).
_NESTED_FIELDS = _words(
    """
    reply_markup entities caption_entities media commands allowed_updates reply_parameters
    link_preview_options scope results options explanation_entities question_entities
    permissions menu_button message_ids reaction input_message_content prices
    """
)
_CHAT_ACTIONS = _words(
    """
    typing upload_photo record_video upload_video record_voice upload_voice upload_document
    choose_sticker find_location record_video_note upload_video_note
    """
)
_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_UPDATE_TYPES_DEFAULT_OFF = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_BOT_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_WEBHOOK_PORTS = (80, 88, 443, 8443)

_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """An error answer of the Bot API (raised inside handlers, turned into the error shape)."""

    def __init__(
        self, status: int, description: str, parameters: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = dict(parameters) if parameters else None

    def body(self) -> JSON:
        result: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            result["parameters"] = self.parameters
        return result


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _chat_key(value: Any) -> ChatId | None:
    """Normalise a chat id for comparison: ints (also from ``"42"``), else the string."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class Call:
    """One request the double received.

    ``params`` are the decoded parameters; ``files`` maps a multipart part name to its bytes (a
    param ``"attach://NAME"`` refers to ``files[NAME]``; a file sent directly as ``document`` is
    ``files["document"]``); ``status`` is the HTTP status answered (200 or the error code);
    ``result`` the ``result`` answered (None on errors); ``description`` the error description.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    at: float
    status: int = 200
    result: Any = None
    description: str | None = None
    file_names: dict[str, str] = field(default_factory=dict)
    http_method: str = "POST"
    content_type: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> ChatId | None:
        """The target chat (normalised: ``"42"`` -> ``42``), or None."""
        return _chat_key(self.params.get("chat_id"))

    @property
    def text(self) -> str | None:
        """The raw ``text`` or ``caption`` parameter, as sent (markup included)."""
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)

    @property
    def message(self) -> JSON | None:
        """The Message answered (the first one for sendMediaGroup), or None."""
        if isinstance(self.result, dict) and "message_id" in self.result:
            return self.result
        if isinstance(self.result, list) and self.result and isinstance(self.result[0], dict):
            first: JSON = self.result[0]
            return first
        return None

    @property
    def messages(self) -> list[JSON]:
        """Every Message answered (several for sendMediaGroup)."""
        if isinstance(self.result, list):
            return [m for m in self.result if isinstance(m, dict) and "message_id" in m]
        message = self.message
        return [message] if message is not None else []

    @property
    def message_id(self) -> int | None:
        message = self.message
        if message is not None:
            return int(message["message_id"])
        if isinstance(self.result, dict) and "message_id" in self.result:  # copyMessage
            return int(self.result["message_id"])
        return None

    @property
    def reply_markup(self) -> JSON | None:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def buttons(self) -> list[list[str]]:
        """Button labels of the reply or inline keyboard sent, row by row ([] without one)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in rows
            if isinstance(row, list)
        ]

    @property
    def button_data(self) -> dict[str, str]:
        """Inline buttons' label -> callback_data."""
        markup = self.reply_markup or {}
        result: dict[str, str] = {}
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if isinstance(button, dict) and "callback_data" in button:
                    result[str(button.get("text", ""))] = str(button["callback_data"])
        return result

    def file(self, param: str) -> bytes | None:
        """The bytes uploaded for a parameter (``attach://`` or a direct file part), or None."""
        value = self.params.get(param)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.files.get(value[len("attach://") :])
        if value is None:
            return self.files.get(param)
        return None

    def summary(self) -> str:
        parts = [self.method]
        if self.chat_id is not None:
            parts.append(f"chat={self.chat_id}")
        if self.text is not None:
            text = self.text if len(self.text) <= 40 else self.text[:37] + "..."
            parts.append(repr(text))
        if not self.ok:
            parts.append(f"-> {self.status} {self.description}")
        return " ".join(parts)


@dataclass
class StoredFile:
    """A file the double knows: uploaded, fetched "from a URL", or added by a test."""

    kind: str
    file_id: str
    file_unique_id: str
    content: bytes | None
    file_name: str | None
    mime_type: str | None
    file_path: str
    photo_sizes: list[JSON] = field(default_factory=list)

    @property
    def file_size(self) -> int | None:
        return None if self.content is None else len(self.content)


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    remaining: int


@dataclass
class _RateLimit:
    overall: int | None
    per_chat: int | None
    window: float
    retry_after: int


# --------------------------------------------------------------------------------------------
# parse_mode: the app sends plain text; markup would need rendering this double does not do
# --------------------------------------------------------------------------------------------


def render(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """Plain text as the user sees it; a parse_mode is refused so that a change in the app that
    starts sending markup fails its tests here instead of passing unchecked."""
    if (parse_mode or "").strip():
        raise _bad(f"parse_mode {parse_mode!r} is not supported by the test double")
    return text, []


# --------------------------------------------------------------------------------------------
# the double
# --------------------------------------------------------------------------------------------


class BotApiDouble:
    """A Bot API server on 127.0.0.1 for tests. See the module docstring."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        port: int = 0,
        strict: bool = True,
        bot_username: str = BOT_USERNAME,
        bot_first_name: str = BOT_FIRST_NAME,
    ) -> None:
        """``strict=False`` accepts unknown file_ids and edits/deletes of unknown messages."""
        self.token = token
        self.strict = strict
        self.calls: list[Call] = []
        self.commands: dict[str, list[JSON]] = {}
        self.webhook: JSON = {}
        bot_id_text = token.split(":", 1)[0]
        self.bot_id = int(bot_id_text) if bot_id_text.isdigit() else 1
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._port = port
        self._lock = threading.RLock()
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._messages: dict[tuple[ChatId, int], JSON] = {}
        self._next_message_id: dict[ChatId, int] = {}
        self._updates: deque[JSON] = deque()
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._failed_chats: dict[ChatId, tuple[int, str]] = {}
        self._rate_limit: _RateLimit | None = None
        self._latency: dict[str, float] = {}
        self._responders: dict[str, Any] = {}
        self._media_group_serial = 0
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._handlers: dict[str, Callable[[Call], Any]] = {
            "getMe": lambda call: dict(self.bot_user, **_GET_ME_EXTRA),
            "logOut": lambda call: True,
            "close": lambda call: True,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_media,
            "sendAudio": self._send_media,
            "sendDocument": self._send_media,
            "sendVideo": self._send_media,
            "sendAnimation": self._send_media,
            "sendVoice": self._send_media,
            "sendVideoNote": self._send_media,
            "sendSticker": self._send_media,
            "sendLocation": self._send_location,
            "answerCallbackQuery": self._answer_callback_query,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyDescription": lambda call: True,
            "setMyShortDescription": lambda call: True,
            "setMyName": lambda call: True,
            "setChatMenuButton": lambda call: True,
            "getFile": self._get_file,
        }
        self._canonical = {name.lower(): name for name in [*self._handlers, "getUpdates"]}

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the base for TELEGRAM_API_URL / TelegramAPIServer)."""
        if self._runner is None:
            raise RuntimeError("BotApiDouble is not running")
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    async def astart(self) -> Self:
        """Start serving on the running event loop."""
        if self._runner is not None:
            raise RuntimeError("BotApiDouble is already running")
        self._loop = asyncio.get_running_loop()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", self._port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        return self

    async def astop(self) -> None:
        """Stop serving; pending long polls answer at once."""
        runner = self._runner
        if runner is None:
            return
        self._closing = True
        self._wake()
        await runner.cleanup()
        self._runner = None
        self._loop = None

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()

    def start(self) -> Self:
        """Start serving from a background thread with its own event loop (for sync code)."""
        if self._thread is not None or self._runner is not None:
            raise RuntimeError("BotApiDouble is already running")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="BotApiDouble", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.astart(), loop).result(timeout=10)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()
            raise
        self._thread, self._thread_loop = thread, loop
        return self

    def stop(self) -> None:
        """Stop a server started with :meth:`start`."""
        thread, loop = self._thread, self._thread_loop
        if thread is None or loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.astop(), loop).result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
            self._thread = self._thread_loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- scripting ------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        count: int = 1,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (``"*"``: any method) with an error.

        429 -> "Too Many Requests: retry after N" with ``parameters.retry_after``;
        403 -> "Forbidden: bot was blocked by the user"; 400 -> "Bad Request: chat not found";
        500 -> "Internal Server Error"; ``description`` overrides the text.
        """
        key = "*" if method == "*" else self._canonical.get(method.lower(), method)
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DESCRIPTIONS.get(status, f"Error {status}")
        failure = _Failure(status, description, retry_after if status == 429 else None, count)
        with self._lock:
            self._failures.setdefault(key, deque()).append(failure)

    def fail_chat(
        self, chat_id: ChatId, status: int | None = 403, description: str | None = None
    ) -> None:
        """Make every call aimed at ``chat_id`` fail (403: a user who blocked the bot).

        ``status=None`` lifts it.
        """
        key = _chat_key(chat_id)
        assert key is not None
        with self._lock:
            if status is None:
                self._failed_chats.pop(key, None)
            else:
                text = description or _DESCRIPTIONS.get(status, f"Error {status}")
                self._failed_chats[key] = (status, text)

    def limit_rate(
        self,
        overall: int | None = 30,
        per_chat: int | None = 1,
        window: float = 1.0,
        retry_after: int = 1,
    ) -> None:
        """Answer 429 to sends beyond ``overall`` (or ``per_chat``) in the trailing ``window``.

        ``limit_rate(None, None)`` turns it off.
        """
        with self._lock:
            if overall is None and per_chat is None:
                self._rate_limit = None
            else:
                self._rate_limit = _RateLimit(overall, per_chat, window, retry_after)

    def set_latency(self, seconds: float, method: str = "*") -> None:
        """Delay answers to ``method`` by ``seconds`` (a slow Bot API); ``"*"`` sets every method
        (and drops per-method settings): ``set_latency(0)`` turns all delays off."""
        key = "*" if method == "*" else self._canonical.get(method.lower(), method)
        with self._lock:
            if key == "*":
                self._latency.clear()
            self._latency[key] = seconds

    def respond(self, method: str, result: Any) -> None:
        """Answer ``method`` with ``result`` (or ``result(call)`` if callable; raise ApiError to
        fail) instead of the built-in behaviour; ``None`` restores it. Unknown methods allowed."""
        key = self._canonical.setdefault(method.lower(), method)
        with self._lock:
            if result is None:
                self._responders.pop(key, None)
            else:
                self._responders[key] = result

    def push_update(self, update: Mapping[str, Any]) -> int:
        """Queue an update for getUpdates (an ``update_id`` is assigned if missing); thread-safe."""
        with self._lock:
            item = dict(update)
            if "update_id" not in item:
                item["update_id"] = self._next_update_id
            update_id = int(item["update_id"])
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._updates.append(item)
        self._wake()
        return update_id

    @property
    def pending_updates(self) -> list[JSON]:
        with self._lock:
            return list(self._updates)

    def add_file(
        self,
        content: bytes,
        kind: str = "document",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> str:
        """Register a file (as if uploaded earlier); returns its file_id (largest size for photos).

        Use it for file_ids in flows or in incoming updates that the app may getFile/download.
        """
        with self._lock:
            stored = self._store_upload(kind, content, file_name, mime_type)
        return stored.photo_sizes[-1]["file_id"] if stored.photo_sizes else stored.file_id

    def add_message(
        self,
        chat_id: ChatId,
        text: str | None = "Choose a topic.",
        reply_markup: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> JSON:
        """Seed a message "the bot sent earlier" (e.g. under an inline keyboard); returns it."""
        content: JSON = dict(fields)
        if text is not None:
            content["text"] = text
        if reply_markup is not None:
            content["reply_markup"] = dict(reply_markup)
        with self._lock:
            return self._new_message(chat_id, content)

    def chat_messages(self, chat_id: ChatId) -> list[JSON]:
        """The bot's messages now in a chat (edits applied, deletions removed), oldest first."""
        key = _chat_key(chat_id)
        with self._lock:
            found = [
                (mid, _public(message))
                for (chat, mid), message in self._messages.items()
                if chat == key and not message.get("_deleted")
            ]
        return [message for _, message in sorted(found, key=lambda pair: pair[0])]

    def get_file(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(file_id)

    def clear(self) -> None:
        """Forget recorded calls (not files, messages, webhook or scripted failures)."""
        with self._lock:
            self.calls.clear()

    # ---- queries --------------------------------------------------------------------------

    def calls_of(self, method: str, *, include_failed: bool = True) -> list[Call]:
        name = self._canonical.get(method.lower(), method)
        with self._lock:
            return [c for c in self.calls if c.method == name and (include_failed or c.ok)]

    def last(self, method: str | None = None, chat_id: ChatId | None = None) -> Call | None:
        """The most recent call (of ``method``, to ``chat_id``), or None."""
        name = None if method is None else self._canonical.get(method.lower(), method)
        key = _chat_key(chat_id)
        with self._lock:
            for call in reversed(self.calls):
                if (name is None or call.method == name) and (key is None or call.chat_id == key):
                    return call
        return None

    def sent(self, chat_id: ChatId | None = None, *, include_failed: bool = False) -> list[Call]:
        """Calls of message-sending methods (:data:`SEND_METHODS`), successful ones by default."""
        key = _chat_key(chat_id)
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method in SEND_METHODS
                and (include_failed or c.ok)
                and (key is None or c.chat_id == key)
            ]

    def texts(self, chat_id: ChatId | None = None) -> list[str]:
        """The text (or caption, "" if none) of every message delivered, as the user sees it
        (parse_mode markup rendered away), in order; several for a media group."""
        result: list[str] = []
        for call in self.sent(chat_id):
            for message in call.messages:
                result.append(str(message.get("text", message.get("caption", ""))))
            if not call.messages and call.method == "copyMessage":
                result.append(str(call.params.get("caption", "")))
        return result

    def max_rate(
        self, window: float = 1.0, *, chat_id: ChatId | None = None, include_failed: bool = True
    ) -> int:
        """The most sends seen in any window of ``window`` seconds (half-open), overall or to
        one chat. Failed attempts count unless ``include_failed=False``."""
        times = sorted(c.at for c in self.sent(chat_id, include_failed=include_failed))
        return _max_in_window(times, window)

    def max_rate_per_chat(self, window: float = 1.0, *, include_failed: bool = True) -> int:
        """The most sends to a single chat seen in any window of ``window`` seconds."""
        per_chat: dict[ChatId | None, list[float]] = {}
        for call in self.sent(include_failed=include_failed):
            per_chat.setdefault(call.chat_id, []).append(call.at)
        return max((_max_in_window(sorted(t), window) for t in per_chat.values()), default=0)

    @overload
    async def wait_for(
        self, until: int, timeout: float = 5.0, *, chat_id: ChatId | None = None
    ) -> list[Call]: ...

    @overload
    async def wait_for(
        self,
        until: Callable[[BotApiDouble], _T],
        timeout: float = 5.0,
        *,
        chat_id: ChatId | None = None,
    ) -> _T: ...

    async def wait_for(
        self, until: Until, timeout: float = 5.0, *, chat_id: ChatId | None = None
    ) -> Any:
        """Wait until ``until`` sends have succeeded (to ``chat_id`` if given; returns them) or
        until ``until(api)`` is truthy (returns that value). Raises TimeoutError listing the calls.
        """
        attempt = self._attempts(until, timeout, chat_id)
        while not (value := attempt()):
            await asyncio.sleep(0.005)
        return value

    def wait_for_sync(
        self, until: Until, timeout: float = 5.0, *, chat_id: ChatId | None = None
    ) -> Any:
        """:meth:`wait_for` for sync code (the server must run in its thread: :meth:`start`)."""
        attempt = self._attempts(until, timeout, chat_id)
        while not (value := attempt()):
            time.sleep(0.005)
        return value

    def _attempts(self, until: Until, timeout: float, chat_id: ChatId | None) -> Callable[[], Any]:
        """One check of ``until`` per call: its value when met, else None; TimeoutError once
        ``timeout`` seconds have passed since this was made."""
        deadline = time.monotonic() + timeout

        def attempt() -> Any:
            value = self._check(until, chat_id)
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(until, timeout))
            return None

        return attempt

    def _check(self, until: Until, chat_id: ChatId | None) -> Any:
        if isinstance(until, int):
            sent = self.sent(chat_id)
            return sent if len(sent) >= until else None
        return until(self)

    def _timeout_message(self, until: object, timeout: float) -> str:
        with self._lock:
            lines = [c.summary() for c in self.calls[-30:]]
        what = f"{until} sends" if isinstance(until, int) else "the condition"
        listing = "\n  ".join(lines) if lines else "(none)"
        return f"BotApiDouble: {what} not met within {timeout}s; calls so far:\n  {listing}"

    # ---- HTTP -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        path = request.path
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if file_match is not None and request.method in ("GET", "HEAD"):
            return self._serve_file(file_match.group(1), file_match.group(2))
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", path)
        if match is None:
            return _error_response(ApiError(404, "Not Found"))
        token, raw_method = match.groups()
        method = self._canonical.get(raw_method.lower(), raw_method)
        call = Call(
            method=method,
            params={},
            files={},
            at=at,
            http_method=request.method,
            content_type=request.content_type,
        )
        try:
            try:
                await self._read_body(request, call)
            except ApiError:
                if token == self.token:
                    raise
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            with self._lock:
                delay = self._latency.get(method, self._latency.get("*", 0.0))
            if delay > 0:
                await asyncio.sleep(delay)
            if method == "getUpdates" and method not in self._responders:
                self._pre_checks(call)
                result = await self._get_updates(call)
            else:
                with self._lock:
                    self._pre_checks(call)
                    result = self._dispatch(call)
        except ApiError as error:
            call.status, call.description = error.status, error.description
            self._record(call)
            return _error_response(error)
        call.result = result
        self._record(call)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    async def _read_body(self, request: web.Request, call: Call) -> None:
        params: JSON = {}
        for key, value in request.query.items():
            params[key] = _typed(key, value)
        if request.method in ("POST", "PUT") and request.can_read_body:
            content_type = request.content_type
            if content_type == "application/json":
                raw = await request.read()
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except ValueError as error:
                    raise _bad("can't parse JSON object") from error
                if not isinstance(body, dict):
                    raise _bad("JSON object expected")
                for key, value in body.items():
                    params[key] = _nested(key, value)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for key, item in form.items():
                    if isinstance(item, web.FileField):
                        call.files[key] = item.file.read()
                        call.file_names[key] = item.filename
                    elif isinstance(item, bytes | bytearray):
                        call.files[key] = bytes(item)
                    else:
                        params[key] = _typed(key, item)
            else:
                raw = await request.read()
                if raw.strip():
                    raise _bad(f"unsupported Content-Type {content_type!r}")
        call.params = params

    def _serve_file(self, token: str, file_path: str) -> web.StreamResponse:
        if token != self.token:
            return _error_response(ApiError(401, "Unauthorized"))
        with self._lock:
            stored = self._files_by_path.get(file_path)
        if stored is None or stored.content is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.content, content_type=stored.mime_type or "application/octet-stream"
        )

    # ---- dispatch -------------------------------------------------------------------------

    def _pre_checks(self, call: Call) -> None:
        """Scripted failures, blocked chats and rate limits (before the method runs)."""
        with self._lock:
            for key in (call.method, "*"):
                queue = self._failures.get(key)
                if queue:
                    failure = queue[0]
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        queue.popleft()
                    parameters = (
                        {"retry_after": failure.retry_after}
                        if failure.retry_after is not None
                        else None
                    )
                    raise ApiError(failure.status, failure.description, parameters)
            chat = call.chat_id
            if chat is not None and chat in self._failed_chats:
                status, description = self._failed_chats[chat]
                raise ApiError(status, description)
            limit = self._rate_limit
            if limit is not None and call.method in SEND_METHODS:
                since = call.at - limit.window
                recent: list[Call] = []
                for earlier in reversed(self.calls):
                    if earlier.at <= since - 60:  # calls are in completion order; allow slack
                        break
                    if earlier.method in SEND_METHODS and earlier.ok and earlier.at > since:
                        recent.append(earlier)
                too_many = limit.overall is not None and len(recent) >= limit.overall
                if limit.per_chat is not None and chat is not None:
                    too_many = too_many or sum(c.chat_id == chat for c in recent) >= limit.per_chat
                if too_many:
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {limit.retry_after}",
                        {"retry_after": limit.retry_after},
                    )

    def _dispatch(self, call: Call) -> Any:
        responder = self._responders.get(call.method)
        if responder is not None:
            return responder(call) if callable(responder) else responder
        handler = self._handlers.get(call.method)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler(call)

    # ---- helpers for handlers -------------------------------------------------------------

    def _require_chat(self, call: Call, name: str = "chat_id") -> ChatId:
        value = _chat_key(call.params.get(name))
        if value is None or value == "":
            raise _bad(f"{name} is empty")
        if isinstance(value, str) and not value.startswith("@"):
            raise _bad("chat not found")
        return value

    def _chat(self, chat: ChatId) -> JSON:
        if isinstance(chat, str):
            username = chat.lstrip("@")
            fake_id = -1_000_000_000_000 - int(
                hashlib.sha256(username.encode()).hexdigest()[:8], 16
            )
            return {"id": fake_id, "type": "channel", "title": username, "username": username}
        if chat > 0:
            return {"id": chat, "type": "private"}
        if chat < -1_000_000_000_000:
            return {"id": chat, "type": "supergroup", "title": "Test supergroup"}
        return {"id": chat, "type": "group", "title": "Test group"}

    def _new_message(self, chat: ChatId, content: Mapping[str, Any]) -> JSON:
        key = _chat_key(chat)
        assert key is not None
        message_id = self._next_message_id.get(key, 1)
        self._next_message_id[key] = message_id + 1
        message: JSON = {
            "message_id": message_id,
            "from": dict(self.bot_user),
            "chat": self._chat(key),
            "date": int(time.time()),
        }
        message.update(content)
        self._messages[(key, message_id)] = message
        return _public(message)

    def _find_message(self, call: Call, purpose: str) -> JSON | None:
        """The stored message a call targets (None for inline messages)."""
        if call.params.get("inline_message_id"):
            return None
        chat = self._require_chat(call)
        message_id = call.params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        key = (chat, int(message_id))
        message = self._messages.get(key)
        if message is None or message.get("_deleted"):
            if self.strict:
                raise _bad(f"message to {purpose} not found")
            message = {
                "message_id": int(message_id),
                "from": dict(self.bot_user),
                "chat": self._chat(chat),
                "date": int(time.time()),
                "text": "",
            }
            self._messages[key] = message
        return message

    def _text_content(self, call: Call, field_name: str, limit: int, empty: str) -> JSON:
        raw = call.params.get(field_name)
        text = "" if raw is None else str(raw)
        entities_field = "entities" if field_name == "text" else "caption_entities"
        explicit = call.params.get(entities_field)
        parse_mode = call.params.get("parse_mode")
        if explicit:
            if not isinstance(explicit, list):
                raise _bad(f"can't parse {entities_field} JSON object")
            plain, entities = text, [dict(e) for e in explicit if isinstance(e, dict)]
        else:
            plain, entities = render(text, parse_mode if isinstance(parse_mode, str) else None)
        if field_name == "text" and not plain.strip():
            raise _bad(empty)
        if _utf16_len(plain) > limit:
            raise _bad(
                "message is too long" if field_name == "text" else "message caption is too long"
            )
        content: JSON = {}
        if plain:
            content[field_name] = plain
        if entities:
            content[entities_field] = entities
        return content

    def _markup(self, call: Call) -> tuple[JSON | None, JSON]:
        """Validate reply_markup; return it and the content a Message carries (inline only)."""
        markup = call.params.get("reply_markup")
        if markup is None or markup == "":
            return None, {}
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError as error:
                raise _bad("can't parse reply keyboard markup JSON object") from error
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            for button in _keyboard_buttons(markup, "inline_keyboard", "inline"):
                _check_inline_button(button)
            return markup, {"reply_markup": markup}
        if "keyboard" in markup:
            for button in _keyboard_buttons(markup, "keyboard", "reply"):
                _check_reply_button(button)
            return markup, {}
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup, {}
        raise _bad("can't parse reply keyboard markup JSON object")

    def _file_for(self, call: Call, param: str, kind: str, value: Any = None) -> StoredFile:
        value = call.params.get(param) if value is None else value
        if value is None and param in call.files:
            return self._store_upload(kind, call.files[param], call.file_names.get(param), None)
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        if not isinstance(value, str):
            raise _bad(f"wrong type of the {param} parameter")
        if value.startswith("attach://"):
            name = value[len("attach://") :]
            if name not in call.files:
                raise _bad(f"wrong HTTP URL specified: attach://{name} is not in the request")
            return self._store_upload(kind, call.files[name], call.file_names.get(name), None)
        if value.startswith(("http://", "https://")):
            file_name = value.rsplit("/", 1)[-1].split("?", 1)[0] or None
            return self._store(kind, ("url:" + value).encode(), None, file_name, None)
        stored = self._files.get(value)
        if stored is None:
            if self.strict:
                raise _bad("wrong file identifier/HTTP URL specified")
            stored = StoredFile(
                kind,
                value,
                _unique_id(value.encode()),
                None,
                None,
                None,
                f"{kind}s/file_{len(self._files)}{_FILE_EXT.get(kind, '')}",
            )
            if kind == "photo":
                stored.photo_sizes = [
                    {
                        "file_id": value,
                        "file_unique_id": stored.file_unique_id,
                        "width": 800,
                        "height": 800,
                    }
                ]
            self._files[value] = stored
            return stored
        if stored.kind != kind:
            raise _bad(
                f"can't use file of type {stored.kind.replace('_', ' ').title()} as "
                f"{kind.replace('_', ' ').title()}"
            )
        return stored

    def _store_upload(
        self, kind: str, content: bytes, file_name: str | None, mime_type: str | None
    ) -> StoredFile:
        if not content:
            raise _bad("file must be non-empty")
        return self._store(kind, content, content, file_name, mime_type)

    def _store(
        self,
        kind: str,
        identity: bytes,
        content: bytes | None,
        file_name: str | None,
        mime_type: str | None,
    ) -> StoredFile:
        digest = hashlib.sha256(kind.encode() + b"\0" + identity).digest()
        file_id = _FILE_ID_PREFIX.get(kind, "BQAC") + _b64(digest[:24])
        stored = self._files.get(file_id)
        if stored is not None:
            return stored
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        if mime_type is None:
            mime_type = _DEFAULT_MIME.get(kind)
        extension = _FILE_EXT.get(kind) or (
            "." + file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else ""
        )
        file_path = f"{kind}s/file_{len(self._files_by_path)}{extension}"
        stored = StoredFile(
            kind, file_id, "AgAD" + _b64(digest[24:32]), content, file_name, mime_type, file_path
        )
        self._files[file_id] = stored
        self._files_by_path[file_path] = stored
        if kind == "photo":
            size = len(content) if content is not None else None
            for index, (width, height) in enumerate(_PHOTO_SIZES):
                is_largest = index == len(_PHOTO_SIZES) - 1
                size_digest = hashlib.sha256(digest + bytes([index])).digest()
                entry: JSON = {
                    "file_id": file_id if is_largest else "AgAC" + _b64(size_digest[:24]),
                    "file_unique_id": stored.file_unique_id
                    if is_largest
                    else "AQAD" + _b64(size_digest[24:32]),
                    "width": width,
                    "height": height,
                }
                if size is not None:
                    entry["file_size"] = size if is_largest else max(1, size * (index + 1) // 8)
                stored.photo_sizes.append(entry)
                self._files.setdefault(entry["file_id"], stored)
        return stored

    def _media_object(self, stored: StoredFile, kind: str, params: Mapping[str, Any]) -> Any:
        if kind == "photo":
            return [dict(size) for size in stored.photo_sizes]
        item: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if kind in ("audio", "voice", "video", "animation", "video_note"):
            item["duration"] = int(params.get("duration") or 0)
        if kind in ("video", "animation"):
            item["width"] = int(params.get("width") or 640)
            item["height"] = int(params.get("height") or 360)
        if kind == "video_note":
            item["length"] = int(params.get("length") or 240)
        if kind == "audio":
            for key in ("performer", "title"):
                if params.get(key):
                    item[key] = str(params[key])
        if kind == "sticker":
            item.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
            if params.get("emoji"):
                item["emoji"] = str(params["emoji"])
        if stored.file_name and kind in ("document", "audio", "video", "animation"):
            item["file_name"] = stored.file_name
        if stored.mime_type and kind not in ("sticker", "video_note"):
            item["mime_type"] = stored.mime_type
        if stored.file_size is not None:
            item["file_size"] = stored.file_size
        return item

    # ---- methods --------------------------------------------------------------------------

    def _send_message(self, call: Call) -> JSON:
        chat = self._require_chat(call)
        content = self._text_content(call, "text", 4096, "message text is empty")
        _, markup_content = self._markup(call)
        options = call.params.get("link_preview_options")
        if isinstance(options, dict):
            content["link_preview_options"] = options
        return self._new_message(chat, {**content, **markup_content})

    def _send_media(self, call: Call) -> JSON:
        chat = self._require_chat(call)
        kind = _MEDIA_METHODS[call.method]
        stored = self._file_for(call, kind, kind)
        content: JSON = {kind: self._media_object(stored, kind, call.params)}
        if kind not in ("sticker", "video_note"):
            content.update(self._text_content(call, "caption", 1024, ""))
        if call.params.get("has_spoiler") is True:
            content["has_media_spoiler"] = True
        _, markup_content = self._markup(call)
        return self._new_message(chat, {**content, **markup_content})

    def _send_location(self, call: Call) -> JSON:
        chat = self._require_chat(call)
        point = _point(call.params)
        _, markup_content = self._markup(call)
        return self._new_message(chat, {"location": point, **markup_content})

    def _answer_callback_query(self, call: Call) -> bool:
        if not call.params.get("callback_query_id"):
            raise _bad("QUERY_ID_INVALID")
        text = call.params.get("text")
        if text is not None and _utf16_len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        return True

    async def _get_updates(self, call: Call) -> list[JSON]:
        params = call.params
        with self._lock:
            if self.webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(a) for a in allowed] or None
        self._wake()  # an older long poll, if any, ends with 409
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout") or 0), 0.0)
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(409, _DESCRIPTIONS[409])
                if offset > 0:
                    while self._updates and int(self._updates[0]["update_id"]) < offset:
                        self._updates.popleft()
                    candidates = list(self._updates)
                elif offset < 0:
                    candidates = list(self._updates)[offset:]
                else:
                    candidates = list(self._updates)
                ready = [u for u in candidates if self._allowed(u)][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                return ready
            await self._wait_new(remaining)

    def _allowed(self, update: Mapping[str, Any]) -> bool:
        kinds = [k for k in update if k != "update_id"]
        allowed = self._allowed_updates
        if allowed is None:
            return not any(k in _UPDATE_TYPES_DEFAULT_OFF for k in kinds)
        return any(k in allowed for k in kinds)

    async def _wait_new(self, timeout: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiters.append(future)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(future, timeout)
        finally:
            with self._lock:
                if future in self._waiters:
                    self._waiters.remove(future)

    def _wake(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def release() -> None:
            with self._lock:
                waiters, self._waiters = self._waiters, []
            for future in waiters:
                if not future.done():
                    future.set_result(None)

        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(release)

    def _set_webhook(self, call: Call) -> bool:
        params = call.params
        url = str(params.get("url") or "")
        if not url:
            self.webhook = {}
            return True
        if not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        port_match = re.match(r"https://[^/:]+:(\d+)", url)
        if port_match is not None and int(port_match.group(1)) not in _WEBHOOK_PORTS:
            raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _bad("secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise _bad("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self.webhook = {
            "url": url,
            "max_connections": max_connections,
            "secret_token": None if secret is None else str(secret),
            "allowed_updates": [str(a) for a in allowed] if isinstance(allowed, list) else None,
            "ip_address": params.get("ip_address"),
            "has_certificate": "certificate" in call.files or bool(params.get("certificate")),
        }
        return True

    def _delete_webhook(self, call: Call) -> bool:
        self.webhook = {}
        if call.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, call: Call) -> JSON:
        info: JSON = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": bool(self.webhook.get("has_certificate", False)),
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = self.webhook.get("ip_address") or "127.0.0.1"
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = list(self.webhook["allowed_updates"])
        return info

    def _get_file(self, call: Call) -> JSON:
        file_id = str(call.params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise _bad("invalid file_id")
        result: JSON = {"file_id": file_id, "file_unique_id": stored.file_unique_id}
        if stored.file_size is not None:
            result["file_size"] = stored.file_size
            result["file_path"] = stored.file_path
        return result

    def __repr__(self) -> str:
        where = f"port {self._port}" if self._runner is not None else "stopped"
        return f"<BotApiDouble {where}, {len(self.calls)} calls>"


_GET_ME_EXTRA: JSON = {
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
_ENVELOPE = frozenset(
    {
        "message_id",
        "from",
        "chat",
        "date",
        "edit_date",
        "reply_markup",
        "forward_origin",
        "media_group_id",
    }
)


def _public(message: Mapping[str, Any]) -> JSON:
    """A copy of a stored message without bookkeeping keys."""
    return json.loads(json.dumps({k: v for k, v in message.items() if not k.startswith("_")}))  # type: ignore[no-any-return]


def _keyboard_buttons(markup: JSON, field_name: str, kind: str) -> list[Any]:
    """The buttons of ``markup[field_name]``, row by row, once it is checked to be rows."""
    rows = markup[field_name]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad(
            f'can\'t parse {kind} keyboard markup: field "{field_name}" must be an Array of Arrays'
        )
    return [button for row in rows for button in row]


def _check_reply_button(button: Any) -> None:
    label = (
        button
        if isinstance(button, str)
        else (button.get("text") if isinstance(button, dict) else None)
    )
    if not isinstance(label, str):
        raise _bad('can\'t parse keyboard button: field "text" must be of type String')


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad('can\'t parse inline keyboard button: field "text" must be of type String')
    actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
    if not actions:
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
        raise _bad("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"(https?|tg)://\S+$", str(url)):
        raise _bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


def _point(params: Mapping[str, Any]) -> JSON:
    try:
        latitude = float(params["latitude"])
        longitude = float(params["longitude"])
    except (KeyError, TypeError, ValueError) as error:
        raise _bad("latitude and longitude must be numbers") from error
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _bad("wrong latitude or longitude")
    point: JSON = {"latitude": latitude, "longitude": longitude}
    if params.get("horizontal_accuracy") is not None:
        point["horizontal_accuracy"] = float(params["horizontal_accuracy"])
    return point


def _typed(key: str, value: str) -> Any:
    """A form value typed as the Bot API reads it (JSON-decoded except text-like fields)."""
    if key in _STRING_FIELDS:
        return value
    stripped = value.strip()
    if not stripped:
        return value
    if (
        stripped[0] in "[{"
        or stripped in ("true", "false", "null")
        or re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", stripped)
    ):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def _nested(key: str, value: Any) -> Any:
    if key in _NESTED_FIELDS and isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unique_id(data: bytes) -> str:
    return "AgAD" + _b64(hashlib.sha256(data).digest()[:8])


def _max_in_window(times: list[float], window: float) -> int:
    if window <= 0:
        raise ValueError("window must be positive")
    best = 0
    start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, dumps=_dumps)

"""The Bot API double, driven by aiogram's real client and by plain HTTP, on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from . import updates as u
from .botapi_double import BotApiDouble

TOKEN = "123:ABC"
PDF = b"%PDF-1.4\n% maths handbook\n" + bytes(range(256)) * 4


@pytest.fixture
async def api() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token=TOKEN) as double:
        yield double


@pytest.fixture
async def bot(api: BotApiDouble) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    client = Bot(TOKEN, session=session)
    yield client
    await client.session.close()


def http(api: BotApiDouble) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=api.url, trust_env=False, timeout=10)


# ---- aiogram's client ---------------------------------------------------------------------


async def test_listens_on_loopback_only(api: BotApiDouble) -> None:
    assert api.url.startswith("http://127.0.0.1:")
    assert api.port > 0


async def test_get_me(bot: Bot, api: BotApiDouble) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == 123 and me.username == "clixchat_test_bot"
    assert api.calls[0].method == "getMe" and api.calls[0].ok


async def test_send_message_with_reply_keyboard(bot: Bot, api: BotApiDouble) -> None:
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Modules"), KeyboardButton(text="मॉड्यूल")]],
        resize_keyboard=True,
    )
    first = await bot.send_message(42, "Hello teacher! Choose a topic.", reply_markup=keyboard)
    second = await bot.send_message(42, "Again")
    other = await bot.send_message(7, "Someone else")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.is_bot
    assert first.text == "Hello teacher! Choose a topic."
    assert first.reply_markup is None  # Telegram returns only inline keyboards in a Message
    assert first.date.timestamp() == pytest.approx(time.time(), abs=5)

    call = api.sent(42)[0]
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.params["chat_id"] == 42  # typed, not "42"
    assert call.params["reply_markup"] == {
        "keyboard": [[{"text": "Modules"}, {"text": "मॉड्यूल"}]],
        "resize_keyboard": True,
    }
    assert call.buttons == [["Modules", "मॉड्यूल"]]
    assert api.texts(42) == ["Hello teacher! Choose a topic.", "Again"]
    assert api.texts("7") == ["Someone else"]

    await bot.send_message(42, "Bye", reply_markup=ReplyKeyboardRemove())
    assert api.sent(42)[-1].params["reply_markup"] == {"remove_keyboard": True}


async def test_send_message_with_inline_keyboard(bot: Bot, api: BotApiDouble) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="Maths", callback_data="choice:maths")],
            [InlineKeyboardButton(text="Site", url="https://example.org/clix")],
        ]
    )
    sent = await bot.send_message(42, "Which module?", reply_markup=markup)
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "choice:maths"

    call = api.last("sendMessage")
    assert call is not None
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Maths", "callback_data": "choice:maths"}],
            [{"text": "Site", "url": "https://example.org/clix"}],
        ]
    }
    assert call.button_data == {"Maths": "choice:maths"}
    assert call.message_id == sent.message_id


async def test_telegram_limits_are_checked(bot: Bot, api: BotApiDouble) -> None:
    too_long = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(42, "Pick", reply_markup=too_long)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(42, "   ")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_document(42, BufferedInputFile(PDF, "a.pdf"), caption="c" * 1025)
    await bot.send_message(42, "🙂" * 2048)  # 4096 UTF-16 code units: the limit exactly
    failed = api.sent(include_failed=True)
    assert [c.status for c in failed] == [400, 400, 400, 400, 200]
    assert failed[0].description == "Bad Request: BUTTON_DATA_INVALID"


async def test_parse_mode_is_refused_as_unsupported(bot: Bot, api: BotApiDouble) -> None:
    """The app sends plain text; a parse_mode would need rendering the double does not do."""
    with pytest.raises(TelegramBadRequest, match="not supported by the test double"):
        await bot.send_message(42, "<b>Hi</b>", parse_mode="HTML")
    assert api.texts(42) == []


async def test_send_document_upload_then_file_id(bot: Bot, api: BotApiDouble) -> None:
    uploaded = await bot.send_document(
        42, BufferedInputFile(PDF, filename="maths.pdf"), caption="Maths handbook"
    )
    assert uploaded.document is not None
    document = uploaded.document
    assert document.file_name == "maths.pdf"
    assert document.mime_type == "application/pdf"
    assert document.file_size == len(PDF)
    assert uploaded.caption == "Maths handbook"

    upload_call = api.sent(42)[0]
    assert upload_call.content_type == "multipart/form-data"
    assert upload_call.params["document"].startswith("attach://")
    assert upload_call.file("document") == PDF

    again = await bot.send_document(42, document.file_id)
    assert again.document is not None and again.document.file_id == document.file_id
    assert api.sent(42)[1].files == {}
    assert api.sent(42)[1].content_type == "application/x-www-form-urlencoded"

    same_bytes = await bot.send_document(7, BufferedInputFile(PDF, filename="copy.pdf"))
    assert same_bytes.document is not None
    assert same_bytes.document.file_id == document.file_id  # same bytes, same file_id
    different = await bot.send_document(7, BufferedInputFile(PDF + b"!", filename="maths.pdf"))
    assert different.document is not None and different.document.file_id != document.file_id

    file = await bot.get_file(document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == PDF

    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(42, "media/maths.pdf")
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(42, document.file_id)


async def test_media_shapes(bot: Bot, api: BotApiDouble) -> None:
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * 300
    photo = await bot.send_photo(42, BufferedInputFile(image, "cat.png"), caption="A cat")
    assert photo.photo is not None and len(photo.photo) == 3
    assert photo.photo[-1].width > photo.photo[0].width
    resent = await bot.send_photo(42, photo.photo[-1].file_id)
    assert resent.photo is not None and resent.photo[-1].file_id == photo.photo[-1].file_id

    audio = await bot.send_audio(42, BufferedInputFile(b"ID3" + b"a" * 50, "song.mp3"), duration=5)
    assert audio.audio is not None and audio.audio.duration == 5
    video = await bot.send_video(42, BufferedInputFile(b"\0\0\0 ftyp" * 9, "v.mp4"))
    assert video.video is not None and video.video.width > 0
    voice = await bot.send_voice(42, BufferedInputFile(b"OggS" + b"v" * 40, "note.ogg"))
    assert voice.voice is not None and voice.voice.mime_type == "audio/ogg"
    by_url = await bot.send_document(42, "https://example.org/maths.pdf")
    assert by_url.document is not None and by_url.document.file_name == "maths.pdf"

    location = await bot.send_location(42, latitude=19.07, longitude=72.88)
    assert location.location is not None and location.location.latitude == pytest.approx(19.07)
    assert api.texts(42) == ["A cat", "", "", "", "", "", ""]


async def test_callbacks_are_answered(bot: Bot, api: BotApiDouble) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="yes")]]
    )
    sent = await bot.send_message(42, "Ready?", reply_markup=markup)
    assert await bot.answer_callback_query("4382000000000000001", text="Saved") is True
    button = markup.inline_keyboard[0][0].model_dump(exclude_none=True)
    seeded = api.add_message(42, "Pick one", {"inline_keyboard": [[button]]})
    update = u.callback_query(1, 42, "yes", message_id=seeded["message_id"])
    assert Update.model_validate(update).callback_query is not None
    assert [m["message_id"] for m in api.chat_messages(42)] == [
        sent.message_id,
        seeded["message_id"],
    ]


async def test_retry_after(bot: Bot, api: BotApiDouble) -> None:
    api.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(42, "hi")
    assert caught.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in str(caught.value)
    await bot.send_message(42, "hi")  # only the next one failed
    assert [c.status for c in api.sent(42, include_failed=True)] == [429, 200]
    assert api.texts(42) == ["hi"]


async def test_forbidden_and_blocked_chat(bot: Bot, api: BotApiDouble) -> None:
    api.fail_next("sendMessage", status=403)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(42, "hi")

    api.fail_chat(7)
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(7, "anyone there?")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(7, "typing")
    await bot.send_message(8, "fine")
    api.fail_chat(7, status=None)
    await bot.send_message(7, "back")
    assert api.texts(7) == ["back"]


async def test_server_errors(bot: Bot, api: BotApiDouble) -> None:
    api.fail_next("*", count=2, status=500)
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(42, "hi")
    with pytest.raises(TelegramServerError):
        await bot.get_me()
    api.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(42, "hi")
    assert (await bot.send_message(42, "hi")).message_id == 1


async def test_get_updates_long_poll(bot: Bot, api: BotApiDouble) -> None:
    poll = asyncio.create_task(bot.get_updates(offset=0, timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = time.monotonic()
    api.push_update(u.message(10, 42, "hello"))
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 1
    assert [x.update_id for x in updates] == [10]
    assert updates[0].message is not None and updates[0].message.text == "hello"

    for i in range(11, 14):
        api.push_update(u.message(i, 42, f"m{i}"))
    batch = await bot.get_updates(offset=11, limit=2, timeout=0)
    assert [x.update_id for x in batch] == [11, 12]
    rest = await bot.get_updates(offset=13, timeout=0)
    assert [x.update_id for x in rest] == [13]
    assert [x["update_id"] for x in api.pending_updates] == [13]  # confirmed ones dropped

    started = time.monotonic()
    assert await bot.get_updates(offset=14, timeout=1) == []
    assert 0.9 < time.monotonic() - started < 3


async def test_dispatcher_polling_end_to_end(bot: Bot, api: BotApiDouble) -> None:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_signals=False, polling_timeout=1, close_bot_session=False
        )
    )
    try:
        api.push_update(u.message(1, 42, "one"))
        api.push_update(u.command(2, 42, "/start", "maths"))
        await api.wait_for(2, chat_id=42)
        assert api.texts(42) == ["echo: one", "echo: /start maths"]
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(task, 5)


async def test_webhook_round_trip(bot: Bot, api: BotApiDouble) -> None:
    empty = await bot.get_webhook_info()
    assert empty.url == "" and empty.pending_update_count == 0

    assert await bot.set_webhook(
        "https://bot.example.org/bot/",
        secret_token="s3cr3t_-TOKEN",
        max_connections=10,
        allowed_updates=["message", "callback_query"],
    )
    assert api.webhook["secret_token"] == "s3cr3t_-TOKEN"
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org/bot/"
    assert info.has_custom_certificate is False
    assert info.pending_update_count == 0
    assert info.max_connections == 10
    assert info.allowed_updates == ["message", "callback_query"]
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()

    with pytest.raises(TelegramBadRequest, match="secret token"):
        await bot.set_webhook("https://bot.example.org/bot/", secret_token="not allowed!")
    with pytest.raises(TelegramBadRequest, match="HTTPS URL"):
        await bot.set_webhook("http://bot.example.org/bot/")
    with pytest.raises(TelegramBadRequest, match="ports"):
        await bot.set_webhook("https://bot.example.org:8080/bot/")

    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates(timeout=0) == []


async def test_wrong_token_is_unauthorized(api: BotApiDouble) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.url))
    stranger = Bot("999:WRONG", session=session)
    try:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()
    finally:
        await session.close()
    assert api.calls[-1].status == 401
    async with http(api) as client:
        response = await client.post("/bot999:WRONG/sendMessage", json={"chat_id": 1, "text": "x"})
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_latency_and_rate_limit(bot: Bot, api: BotApiDouble) -> None:
    api.set_latency(0.3, "sendMessage")
    started = time.monotonic()
    await bot.send_message(1, "slow")
    assert time.monotonic() - started >= 0.3
    api.set_latency(0)

    api.limit_rate(overall=30, per_chat=1)
    await bot.send_message(2, "first")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(2, "too soon")
    await bot.send_message(3, "other chat is fine")


async def test_rate_measurements(bot: Bot, api: BotApiDouble) -> None:
    for chat in (1, 2, 3):
        await bot.send_message(chat, "a")
    await bot.send_message(1, "b")
    assert api.max_rate(1.0) == 4
    assert api.max_rate_per_chat(1.0) == 2
    assert api.max_rate(1.0, chat_id=2) == 1
    assert api.max_rate(1e-9) == 1
    with pytest.raises(ValueError):
        api.max_rate(0)


async def test_wait_for(bot: Bot, api: BotApiDouble) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(42, "one")
        await bot.answer_callback_query("1")

    task = asyncio.create_task(later())
    calls = await api.wait_for(1, chat_id=42)
    assert calls[0].text == "one"
    answered = await api.wait_for(lambda a: a.last("answerCallbackQuery"))
    assert answered is not None
    assert answered.params["callback_query_id"] == "1"  # a string field stays a string
    await task
    with pytest.raises(TimeoutError, match="sendMessage chat=42 'one'"):
        await api.wait_for(5, timeout=0.1)


# ---- plain HTTP ---------------------------------------------------------------------------


async def test_plain_httpx_json_post(api: BotApiDouble) -> None:
    async with http(api) as client:
        response = await client.post(
            f"/bot{TOKEN}/sendMessage",
            json={
                "chat_id": 5,
                "text": "Which module?",
                "reply_markup": {"inline_keyboard": [[{"text": "Maths", "callback_data": "m"}]]},
            },
        )
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is True
        message = Message.model_validate(body["result"])
        assert message.chat.id == 5 and message.text == "Which module?"
        assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "m"

        # nested JSON as a string inside JSON, and inside a form, is decoded in the record
        await client.post(
            f"/bot{TOKEN}/sendMessage",
            json={"chat_id": "5", "text": "x", "reply_markup": '{"keyboard": [["A", "B"]]}'},
        )
        await client.post(
            f"/bot{TOKEN}/SENDMESSAGE",
            data={"chat_id": "5", "text": "42", "reply_markup": '{"keyboard": [["C"]]}'},
        )
        me = await client.get(f"/bot{TOKEN}/getMe")
        assert me.json()["result"]["username"] == "clixchat_test_bot"
        missing = await client.post(f"/bot{TOKEN}/noSuchMethod", json={})
        assert missing.status_code == 404 and missing.json()["description"] == "Not Found"
        no_chat = await client.post(f"/bot{TOKEN}/sendMessage", json={"text": "x"})
        assert no_chat.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: chat_id is empty",
        }

    sent = api.sent(5)
    assert [c.buttons for c in sent] == [[["Maths"]], [["A", "B"]], [["C"]]]
    assert sent[2].method == "sendMessage" and sent[2].params["text"] == "42"
    assert api.texts(5) == ["Which module?", "x", "42"]


async def test_respond_overrides(api: BotApiDouble) -> None:
    api.respond("getChatMemberCount", 12)
    canned = {"message_id": 77, "date": 0, "chat": {"id": 1, "type": "private"}}
    api.respond("sendMessage", lambda call: canned)
    async with http(api) as client:
        count = await client.post(f"/bot{TOKEN}/getChatMemberCount", json={"chat_id": -1})
        assert count.json() == {"ok": True, "result": 12}
        sent = await client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": 1, "text": "x"})
        assert sent.json()["result"]["message_id"] == 77


def test_sync_start_stop() -> None:
    api = BotApiDouble(token=TOKEN).start()
    try:
        port = api.port
        with httpx.Client(base_url=api.url, trust_env=False, timeout=5) as client:
            response = client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": 3, "text": "sync"})
            assert response.json()["result"]["text"] == "sync"
            api.push_update(u.message(1, 3, "queued"))
            polled = client.post(f"/bot{TOKEN}/getUpdates", json={"timeout": 1})
            assert polled.json()["result"][0]["message"]["text"] == "queued"
        assert api.wait_for_sync(1, chat_id=3)[0].text == "sync"
    finally:
        api.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_sync_long_poll_wakes_on_push() -> None:
    with (
        BotApiDouble(token=TOKEN) as api,
        httpx.Client(base_url=api.url, trust_env=False) as client,
    ):
        result: list[Any] = []

        def poll() -> None:
            response = client.post(f"/bot{TOKEN}/getUpdates", json={"offset": 5, "timeout": 5})
            result.append(response.json())

        thread = threading.Thread(target=poll)
        started = time.monotonic()
        thread.start()
        time.sleep(0.2)
        body = u.message(0, 1, "hi")
        del body["update_id"]
        assert api.push_update(body) == 1  # ids are assigned when missing
        api.push_update(u.message(5, 1, "hi"))
        thread.join(5)
        assert time.monotonic() - started < 2
        assert [x["update_id"] for x in result[0]["result"]] == [5]


# ---- update factories ---------------------------------------------------------------------

FACTORIES: dict[str, Callable[[], dict[str, Any]]] = {
    "message": lambda: u.message(1, 42, "Hello"),
    "message_hi_no_username": lambda: u.message(2, 42, "नमस्ते", language_code="hi", username=None),
    "command": lambda: u.command(3, 42, "/start"),
    "command_payload": lambda: u.command(4, 42, "/start", payload="maths"),
    "callback_query": lambda: u.callback_query(5, 42, "choice:maths", message_id=3),
    "edited_message": lambda: u.edited_message(6, 42, "Hello again", message_id=1001),
    "photo": lambda: u.photo(7, 42, caption="my class"),
    "document": lambda: u.document(8, 42),
    "voice": lambda: u.voice(9, 42),
    "audio": lambda: u.audio(10, 42),
    "video": lambda: u.video(11, 42),
    "sticker": lambda: u.sticker(12, 42),
    "location": lambda: u.location(13, 42, 19.076, 72.8777),
    "contact": lambda: u.contact(14, 42),
    "my_chat_member_kicked": lambda: u.my_chat_member(15, 42, status="kicked"),
    "my_chat_member_member": lambda: u.my_chat_member(16, 42, status="member"),
    "group_message": lambda: u.group_message(17, 42, "hello group"),
    "group_command": lambda: u.command(
        18, 42, "/start", bot_username="clixchat_test_bot", chat_type="group"
    ),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_every_factory_parses_as_an_update(name: str) -> None:
    data = FACTORIES[name]()
    update = Update.model_validate(data)
    assert update.update_id == data["update_id"]
    assert update.event_type != "unknown"
    user = update.event.from_user  # type: ignore[attr-defined]
    assert user is not None and user.id == 42 and not user.is_bot


def test_factory_details() -> None:
    ids = u.UpdateIds(100)
    start = Update.model_validate(u.command(ids, 42, "/start", "maths"))
    assert start.update_id == 100 and ids.last == 100 and ids.peek() == 101
    assert start.message is not None and start.message.text == "/start maths"
    assert start.message.entities is not None
    assert (start.message.entities[0].type, start.message.entities[0].length) == ("bot_command", 6)
    assert start.message.from_user is not None
    assert start.message.from_user.language_code == "en"

    tap = Update.model_validate(u.callback_query(ids, 42, "yes", message_id=9, chat_id=42))
    assert tap.update_id == 101 and tap.callback_query is not None
    assert tap.callback_query.data == "yes"
    assert isinstance(tap.callback_query.message, Message)
    assert tap.callback_query.message.message_id == 9

    phone = Update.model_validate(u.contact(next(ids), 42, "+911234567890"))
    assert phone.message is not None and phone.message.contact is not None
    assert phone.message.contact.phone_number == "+911234567890"

    blocked = Update.model_validate(u.my_chat_member(ids, 42, "kicked"))
    assert blocked.my_chat_member is not None
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert blocked.my_chat_member.old_chat_member.status == "member"

    group = Update.model_validate(u.group_message(ids, 42, "hi"))
    assert group.message is not None and group.message.chat.id < 0
    assert group.message.chat.type == "supergroup"

    pic = Update.model_validate(u.photo(ids, 42, file_id="AgACfixed"))
    assert pic.message is not None and pic.message.photo is not None
    assert [p.file_id for p in pic.message.photo][-1] == "AgACfixed"
    assert len({p.file_unique_id for p in pic.message.photo}) == 3

    assert (
        u.message(1, 42, "a")["message"]["message_id"]
        != u.message(2, 42, "b")["message"]["message_id"]
    )


async def test_plain_multipart_with_direct_file_part(api: BotApiDouble) -> None:
    async with http(api) as client:
        response = await client.post(
            f"/bot{TOKEN}/sendDocument",
            data={"chat_id": "9", "caption": "notes"},
            files={"document": ("notes.txt", b"hello notes", "text/plain")},
        )
        assert response.status_code == 200, response.text
        document = response.json()["result"]["document"]
        assert document["file_name"] == "notes.txt" and document["mime_type"] == "text/plain"
        path = await client.get(f"/bot{TOKEN}/getFile", params={"file_id": document["file_id"]})
        file_path = path.json()["result"]["file_path"]
        download = await client.get(f"/file/bot{TOKEN}/{file_path}")
        assert download.content == b"hello notes"
        assert (await client.get(f"/file/bot999:X/{file_path}")).status_code == 401
        assert (await client.get(f"/file/bot{TOKEN}/documents/nope")).status_code == 404
    call = api.sent(9)[0]
    assert call.files == {"document": b"hello notes"} and call.file("document") == b"hello notes"
    assert call.file_names == {"document": "notes.txt"}
    file_id = api.add_file(b"\xff\xd8 jpeg", kind="photo")
    assert api.get_file(file_id) is not None
    assert Update.model_validate(u.photo(1, 9, file_id=file_id)).message is not None

"""The outbox against the Bot API double on loopback, through aiogram's real client.

Times are the double's arrival times. Limits are scaled up where a test is about something else.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from engine.channels.telegram.outbox import Outbox
from engine.channels.telegram.replies import Call, call_for
from engine.core.events import Outbound
from tests.support.botapi_double import BotApiDouble

TOKEN = "123:ABC"
FAST = {"per_second": 1000, "per_chat_per_second": 100}


class LoopbackSession(AiohttpSession):
    """aiogram's session without its 0.25 s pause on close (for TLS, absent on loopback)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(api: BotApiDouble) -> Bot:
    return Bot(TOKEN, session=LoopbackSession(api=TelegramAPIServer.from_base(api.url)))


class Record:
    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.failures: list[tuple[str, str, int, str]] = []

    async def on_blocked(self, pseudonym: str) -> None:
        self.blocked.append(pseudonym)

    async def on_failure(self, pseudonym: str, method: str, code: int, description: str) -> None:
        self.failures.append((pseudonym, method, code, description))


@pytest.fixture
async def api() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(token=TOKEN) as double:
        yield double


@asynccontextmanager
async def running(api: BotApiDouble, **options: Any) -> AsyncIterator[tuple[Outbox, Record]]:
    record = Record()
    bot = make_bot(api)
    outbox = Outbox(bot, on_blocked=record.on_blocked, on_failure=record.on_failure, **options)
    await bot.get_me()  # connect first, so that timings measure the outbox, not the handshake
    api.clear()
    await outbox.start()
    try:
        yield outbox, record
    finally:
        await outbox.stop()


def texts(chat_id: int, *words: str) -> list[Call]:
    return [call_for(chat_id, Outbound(text=word)) for word in words]


def arrivals(api: BotApiDouble, chat_id: int | None = None) -> list[float]:
    return [call.at for call in api.sent(chat_id)]


async def test_messages_to_one_chat_arrive_in_order(api: BotApiDouble) -> None:
    async with running(api, **FAST) as (outbox, _):
        outbox.enqueue(1, texts(1, "one", "two"), "p1")
        outbox.enqueue(1, texts(1, "three", "four", "five"), "p1")
        assert outbox.pending(1)
        await api.wait_for(5)
    assert api.texts(1) == ["one", "two", "three", "four", "five"]
    assert not outbox.pending(1)


async def test_chats_go_out_side_by_side_each_in_its_own_order(api: BotApiDouble) -> None:
    async with running(api, per_chat_per_second=20) as (outbox, _):
        for chat in (1, 2, 3):
            outbox.enqueue(chat, texts(chat, *(f"{chat}.{n}" for n in range(1, 6))), f"p{chat}")
        await api.wait_for(15, timeout=5)
    for chat in (1, 2, 3):
        assert api.texts(chat) == [f"{chat}.{n}" for n in range(1, 6)]
    order = [call.chat_id for call in api.sent()]
    assert order.index(3) < len(order) - order[::-1].index(1) - 1  # chat 3 did not wait for 1


async def test_sixty_chats_never_see_more_than_thirty_sends_in_a_second(
    api: BotApiDouble,
) -> None:
    async with running(api) as (outbox, _):  # the real defaults
        for chat in range(1, 61):
            outbox.enqueue(chat, texts(chat, "news"), f"p{chat}")
        await api.wait_for(60, timeout=5)
    times = arrivals(api)
    assert api.max_rate(1.0) <= 30
    assert api.max_rate(1.0) >= 28  # the allowance is used, not wasted
    assert 1.9 < times[-1] - times[0] < 2.5  # 60 sends at 29 a second


async def test_one_chat_gets_a_burst_of_three_then_one_a_second(api: BotApiDouble) -> None:
    async with running(api) as (outbox, _):  # the real defaults
        outbox.enqueue(5, texts(5, "a", "b", "c", "d"), "p5")
        await api.wait_for(4, timeout=3)
    times = arrivals(api, 5)
    assert times[2] - times[0] < 0.2
    assert times[3] - times[0] >= 0.95
    assert api.max_rate_per_chat(0.95) == 3
    assert api.texts(5) == ["a", "b", "c", "d"]


async def test_a_group_is_held_to_its_own_limit_and_a_private_chat_is_not(
    api: BotApiDouble,
) -> None:
    # scaled down: 6 per 1 s window instead of 20 per 60 s (burst 3, then 3 a second)
    options = {**FAST, "per_group_per_minute": 6, "group_window": 1.0}
    async with running(api, **options) as (outbox, _):
        words = [str(n) for n in range(9)]
        outbox.enqueue(-4001, texts(-4001, *words), "g1")
        outbox.enqueue(4002, texts(4002, *words), "g2", group=True)
        outbox.enqueue(4003, texts(4003, *words), "p3")
        await api.wait_for(27, timeout=5)
    for group in (-4001, 4002):
        assert api.max_rate(1.0, chat_id=group) <= 6
        times = arrivals(api, group)
        assert times[-1] - times[0] >= 1.9
        assert api.texts(group) == words
    private = arrivals(api, 4003)
    assert private[-1] - private[0] < 0.5


async def test_a_429_storm_is_waited_out_and_the_message_delivered_once(
    api: BotApiDouble,
) -> None:
    api.fail_next("sendMessage", 3, status=429, retry_after=1)
    async with running(api) as (outbox, record):
        outbox.enqueue(9, texts(9, "hello"), "p9")
        await api.wait_for(1, timeout=6)
    attempts = api.sent(9, include_failed=True)
    assert [call.status for call in attempts] == [429, 429, 429, 200]
    assert attempts[-1].at - attempts[0].at >= 2.9  # retry_after honoured each time
    assert api.texts(9) == ["hello"]
    assert outbox.stats.retried == 3
    assert outbox.stats.sent == 1
    assert record.failures == []


async def test_429s_in_two_chats_pause_every_chat(api: BotApiDouble) -> None:
    api.fail_next("sendMessage", 2, status=429, retry_after=1)
    async with running(api, per_chat_per_second=100) as (outbox, _):
        outbox.enqueue(11, texts(11, "x"), "p11")
        outbox.enqueue(12, texts(12, "y"), "p12")
        await api.wait_for(lambda a: len(a.sent(include_failed=True)) >= 2)
        outbox.enqueue(13, texts(13, "z"), "p13")
        await api.wait_for(3, timeout=4)
    second_429 = api.sent(12, include_failed=True)[0].at
    assert arrivals(api, 13)[0] - second_429 >= 0.9
    assert [api.texts(c) for c in (11, 12, 13)] == [["x"], ["y"], ["z"]]


async def test_a_blocked_user_is_reported_once_and_their_queue_dropped(
    api: BotApiDouble,
) -> None:
    api.fail_chat(7, 403)
    async with running(api, **FAST) as (outbox, record):
        outbox.enqueue(7, texts(7, "a", "b", "c"), "p7")
        outbox.enqueue(8, texts(8, "a", "b", "c"), "p8")
        await api.wait_for(3, chat_id=8)
        await api.wait_for(lambda _: not outbox.pending(7))
    assert record.blocked == ["p7"]
    assert len(api.sent(7, include_failed=True)) == 1
    assert api.texts(8) == ["a", "b", "c"]
    assert (outbox.stats.blocked, outbox.stats.dropped) == (1, 2)


async def test_a_bad_request_is_reported_once_and_not_retried(api: BotApiDouble) -> None:
    api.fail_next("sendMessage", 1, status=400)
    async with running(api, **FAST) as (outbox, record):
        outbox.enqueue(3, texts(3, "broken", "fine"), "p3")
        await api.wait_for(1, chat_id=3)
    assert record.failures == [("p3", "sendMessage", 400, "Bad Request: chat not found")]
    assert [call.status for call in api.sent(3, include_failed=True)] == [400, 200]
    assert api.texts(3) == ["fine"]
    assert outbox.stats.failed == 1


async def test_server_errors_are_retried_until_delivered(api: BotApiDouble) -> None:
    api.fail_next("sendMessage", 2, status=500)
    async with running(api, backoff=0.05, **FAST) as (outbox, record):
        outbox.enqueue(4, texts(4, "hi"), "p4")
        await api.wait_for(1, chat_id=4)
    assert [call.status for call in api.sent(4, include_failed=True)] == [500, 500, 200]
    assert outbox.stats.retried == 2
    assert record.failures == []


async def test_when_retries_run_out_the_failure_is_reported_and_the_queue_moves_on(
    api: BotApiDouble,
) -> None:
    api.fail_next("sendMessage", 3, status=502)
    async with running(api, backoff=0.01, max_retries=2, **FAST) as (outbox, record):
        outbox.enqueue(4, texts(4, "lost", "next"), "p4")
        await api.wait_for(1, chat_id=4)
    assert [call.status for call in api.sent(4, include_failed=True)] == [502, 502, 502, 200]
    assert record.failures == [("p4", "sendMessage", 500, "Bad Gateway")]
    assert api.texts(4) == ["next"]
    assert outbox.stats.failed == 1


async def test_a_local_file_is_uploaded_once_then_sent_by_file_id(
    api: BotApiDouble, tmp_path: Path
) -> None:
    picture = tmp_path / "poster.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    photo = Outbound(text="Poster", media_kind="photo", path=str(picture))
    async with running(api, **FAST) as (outbox, _):
        # two chats, queued before anything was sent: both calls carry the file itself
        first = [call_for(chat, photo, outbox.file_ids) for chat in (21, 22)]
        assert all(call.upload_key for call in first)
        outbox.enqueue(21, [first[0]], "p21")
        outbox.enqueue(22, [first[1]], "p22")
        await api.wait_for(2)
        later = call_for(23, photo, outbox.file_ids)
        assert later.upload_key is None
        outbox.enqueue(23, [later], "p23")
        await api.wait_for(3)
    sends = api.calls_of("sendPhoto")
    assert sum(1 for call in sends if call.files) == 1
    file_id = outbox.file_ids[str(picture)]
    assert [call.params["photo"] for call in sends if not call.files] == [file_id, file_id]
    assert api.texts() == ["Poster"] * 3


async def test_a_callback_is_answered_even_while_the_chat_must_wait(api: BotApiDouble) -> None:
    async with running(api) as (outbox, _):
        slots, first_slot = [], time.monotonic()
        for _ in range(4):  # replies in webhook response bodies, a moment apart
            slots.append(outbox.take_inline_slot(6))
            await asyncio.sleep(0.05)
        assert slots == [True, True, True, False]
        outbox.enqueue(6, texts(6, "after the burst"), "p6")
        assert not outbox.take_inline_slot(6)
        asked = time.monotonic()
        outbox.answer_callback("cb-1", "Noted")
        answer = await api.wait_for(lambda a: a.last("answerCallbackQuery"))
        await api.wait_for(1, chat_id=6, timeout=3)
    assert answer is not None
    assert answer.params == {"callback_query_id": "cb-1", "text": "Noted"}
    assert answer.at - asked < 0.2
    assert arrivals(api, 6)[0] - first_slot >= 0.95  # the message waited for the chat's bucket
    assert outbox.stats.answered == 1


async def test_send_now_returns_once_the_messages_are_out(api: BotApiDouble) -> None:
    async with running(api, **FAST) as (outbox, _):
        outbox.enqueue(30, texts(30, "queued first"), "p30")
        await outbox.send_now(30, texts(30, "reminder", "second"), "p30")
        assert api.texts(30) == ["queued first", "reminder", "second"]
        assert not outbox.pending(30)


async def test_stop_sends_everything_queued(api: BotApiDouble) -> None:
    async with running(api, per_chat_per_second=20) as (outbox, _):
        outbox.enqueue(31, texts(31, *(str(n) for n in range(10))), "p31")
        await outbox.stop()
        assert api.texts(31) == [str(n) for n in range(10)]
        with pytest.raises(RuntimeError):
            outbox.enqueue(31, texts(31, "too late"), "p31")


async def test_stop_reports_what_it_had_no_time_to_send(api: BotApiDouble) -> None:
    async with running(api) as (outbox, record):
        outbox.enqueue(32, texts(32, "1", "2", "3", "4", "5"), "p32")
        await outbox.stop(drain_timeout=0.3)
    assert api.texts(32) == ["1", "2", "3"]
    assert [f[:3] for f in record.failures] == [("p32", "sendMessage", 0)] * 2
    assert outbox.stats.dropped == 2


async def test_logs_never_carry_message_text_or_chat_ids(
    api: BotApiDouble, caplog: pytest.LogCaptureFixture
) -> None:
    chat, secret = 987654321, "my private feedback"
    api.fail_next("sendMessage", 1, status=400)
    api.fail_next("sendMessage", 1, status=429, retry_after=1)
    caplog.set_level(logging.DEBUG, logger="clixchat")
    async with running(api, max_retries=0, **FAST) as (outbox, record):
        outbox.enqueue(chat, texts(chat, secret, secret), "pseudonym-abcdef")
        await api.wait_for(lambda _: not outbox.pending(chat))
        api.fail_chat(chat, 403)
        outbox.enqueue(chat, texts(chat, secret), "pseudonym-abcdef")
        await api.wait_for(lambda _: not outbox.pending(chat))
    assert [f[2] for f in record.failures] == [400, 429]
    assert record.blocked == ["pseudonym-abcdef"]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2
    for entry in caplog.records:
        if entry.levelno >= logging.INFO:
            assert secret not in entry.getMessage()
            assert str(chat) not in entry.getMessage()
    assert all(str(chat) not in f[3] for f in record.failures)


async def test_nothing_is_sent_before_start(api: BotApiDouble) -> None:
    outbox = Outbox(make_bot(api), per_second=1000, per_chat_per_second=100)
    outbox.enqueue(40, texts(40, "early"), "p40")
    await asyncio.sleep(0.05)
    assert api.sent() == []
    await outbox.start()
    await api.wait_for(1)
    await outbox.stop()
    assert api.texts(40) == ["early"]

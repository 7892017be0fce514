"""The token buckets behind the outbox, on a fake clock: bursts, pacing, windows, pauses."""

from __future__ import annotations

import asyncio

import pytest

from engine.channels.telegram.ratelimit import Limits, TokenBucket


class FakeTime:
    """A clock that only moves when someone sleeps (one waiter at a time)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        assert seconds > 0, "never sleep for nothing (no busy-waiting)"
        self.slept.append(seconds)
        self.now += seconds


def most_in_window(times: list[float], window: float) -> int:
    """The most events in any closed window [t, t + window] (stricter than Telegram's)."""
    ordered = sorted(times)
    return max(sum(1 for u in ordered if t <= u <= t + window + 1e-9) for t in ordered)


def test_a_chat_bucket_gives_a_burst_of_three_then_one_a_second() -> None:
    bucket = TokenBucket(rate=1, capacity=3)
    assert [bucket.try_take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.delay(0.0) == pytest.approx(1.0)
    assert not bucket.try_take(0.99)
    assert bucket.try_take(1.0)
    assert not bucket.try_take(1.5)
    assert bucket.try_take(2.0)


def test_reservations_are_served_in_turn_without_overlap() -> None:
    bucket = TokenBucket(rate=10, capacity=1)
    waits = [bucket.reserve(5.0) for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3])
    assert bucket.delay(5.0) == pytest.approx(0.4)


@pytest.mark.parametrize(("limit", "window", "burst"), [(30, 1.0, 1), (20, 60.0, 3), (6, 1.0, 3)])
def test_a_window_bucket_never_lets_more_than_the_limit_into_any_window(
    limit: int, window: float, burst: int
) -> None:
    bucket = TokenBucket.within(limit, window, burst)
    times: list[float] = []
    now = 0.0
    for _ in range(limit * 5):
        now += bucket.reserve(now)
        times.append(now)
    assert most_in_window(times, window) == limit
    assert times[burst - 1] == 0.0  # the burst goes out at once
    rate = (limit - burst) / window  # sustained: the rest of the window's allowance
    assert times[-1] == pytest.approx((len(times) - burst) / rate)


def test_a_window_bucket_refuses_limits_it_cannot_keep() -> None:
    with pytest.raises(ValueError):
        TokenBucket.within(1, 1.0)
    with pytest.raises(ValueError):
        TokenBucket(rate=0)


def test_a_pause_holds_every_token_then_sends_one_at_a_time() -> None:
    bucket = TokenBucket(rate=1, capacity=3)
    bucket.pause(5.0, now=0.0)
    assert bucket.delay(0.0) == pytest.approx(5.0)
    assert bucket.try_take(5.0)
    assert not bucket.try_take(5.0)  # no fresh burst right after Telegram said "slow down"


async def test_limits_pace_one_chat_and_count_inline_replies_too() -> None:
    fake = FakeTime()
    limits = Limits(clock=fake.clock, sleep=fake.sleep)
    start = fake.now
    assert limits.try_take(42)  # a reply in a webhook response body
    sent = []
    for _ in range(4):
        await limits.acquire(42)
        limits.finished()
        sent.append(fake.now - start)
    pace = 1 / 30
    assert sent[:2] == [0.0, pytest.approx(pace)]  # the pacing's burst of 2, then 1/30 s
    assert sent[2:] == [pytest.approx(1.0), pytest.approx(2.0)]  # burst of 3 used, then 1/s
    fake.now += 0.5
    assert not limits.try_take(42)
    assert limits.try_take(43)  # other chats have their own bucket


async def test_limits_hold_a_group_to_twenty_a_minute_with_the_real_defaults() -> None:
    fake = FakeTime()
    limits = Limits(clock=fake.clock, sleep=fake.sleep)
    times = []
    for _ in range(60):
        await limits.acquire(-100123)
        limits.finished()
        times.append(fake.now)
    assert most_in_window(times, 60.0) <= 20
    assert times[2] - times[0] < 0.1  # a short reply still goes out at once
    assert times[-1] - times[0] == pytest.approx(57 * 60 / 17)  # then 17 a minute sustained

    private = []
    for _ in range(10):
        await limits.acquire(100123)
        limits.finished()
        private.append(fake.now)
    assert private[-1] - private[0] < 9  # a private chat is not held to the group limit


async def test_group_flag_applies_the_group_limit_to_any_chat_id() -> None:
    fake = FakeTime()
    limits = Limits(per_chat_per_second=100, clock=fake.clock, sleep=fake.sleep)
    times = []
    for _ in range(30):
        await limits.acquire(555, group=True)
        limits.finished()
        times.append(fake.now)
    assert most_in_window(times, 60.0) <= 20


async def test_limits_keep_all_chats_together_under_thirty_a_second() -> None:
    fake = FakeTime()
    limits = Limits(clock=fake.clock, sleep=fake.sleep)
    times = []
    for chat in range(120):
        await limits.acquire(chat)
        limits.finished()
        times.append(fake.now)
    assert most_in_window(times, 1.0) <= 30
    assert times[-1] - times[0] < 4.2  # about 29.9 a second sustained


async def test_a_429_in_one_chat_pauses_that_chat_and_in_two_chats_pauses_all() -> None:
    fake = FakeTime()
    limits = Limits(clock=fake.clock, sleep=fake.sleep)
    assert limits.flood(1, 3) is False
    assert not limits.try_take(1)
    assert limits.try_take(2)
    assert limits.paused() == 0

    fake.now += 1
    assert limits.flood(2, 3) is True  # a second chat within the pause: the bot as a whole
    assert limits.paused() == pytest.approx(3.0)
    assert not limits.try_take(3)
    start = fake.now
    await limits.acquire(3)
    limits.finished()
    assert fake.now - start == pytest.approx(3.0)


async def test_idle_chats_are_forgotten_and_busy_ones_kept() -> None:
    fake = FakeTime()
    limits = Limits(clock=fake.clock, sleep=fake.sleep)
    for chat in range(5):
        await limits.acquire(chat)
        limits.finished()
    fake.now += 10
    await limits.acquire(99)
    limits.finished()
    assert limits.forget_idle() == 5
    assert len(limits) == 1
    for _ in range(2):
        fake.now += 0.1
        assert limits.try_take(99)
    fake.now += 0.1
    assert not limits.try_take(99)  # chat 99 still has its burst spent: nothing was lost


async def test_a_reply_waits_one_token_behind_a_bot_initiated_backlog_not_all_of_it() -> None:
    limits = Limits(per_second=30, per_chat_per_second=100)
    order: list[str] = []

    async def send(name: str, chat: int, priority: int) -> None:
        await limits.acquire(chat, priority=priority)
        limits.finished()
        order.append(name)

    backlog = [asyncio.ensure_future(send(f"bulk{i}", 1000 + i, 1)) for i in range(20)]
    await asyncio.sleep(0.05)  # the backlog is waiting for the overall bucket
    reply = asyncio.ensure_future(send("reply", 7, 0))
    await asyncio.gather(reply, *backlog)
    assert order.index("reply") <= 4  # 20 bulk waited before it; it went at the next tokens
    assert [n for n in order if n != "reply"] == [f"bulk{i}" for i in range(20)]  # in turn


async def test_calls_in_flight_or_answered_within_a_second_never_exceed_the_limit() -> None:
    fake = FakeTime()
    limits = Limits(per_second=3, per_chat_per_second=100, clock=fake.clock, sleep=fake.sleep)
    for chat in range(3):
        await limits.acquire(chat)  # three calls in flight, none answered yet
    waiting = asyncio.ensure_future(limits.acquire(7))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()  # a fourth waits, whatever the pacing allows
    fake.now += 0.25
    answered_at = fake.now
    limits.finished()  # that call may have reached Telegram at any moment until its answer
    await asyncio.wait_for(waiting, 1)
    assert fake.now >= answered_at + 1.0  # so the fourth starts a full second after the answer

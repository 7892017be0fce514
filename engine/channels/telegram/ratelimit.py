"""Telegram's send limits as token buckets on the monotonic clock, waited for with asyncio sleeps.

Telegram allows about 30 messages a second per bot, 1 a second per chat and 20 a minute per group
(DESIGN.md, "What was measured"). :class:`Limits` keeps one bucket for the whole bot, one per chat
and one more per group chat; a send needs a token from each that applies to it.

* Per chat: a burst of ``chat_burst`` (3) at once, then ``per_chat_per_second`` (1/s) sustained.
* Overall the limit is a ceiling over any second ("30 in any second"): calls are paced one
  every ``1 / limit`` s. Waiters for it are served by priority: a reply to someone who just
  wrote goes before a bot-initiated message (a timeout, a reminder) that was waiting longer.
  On top of the pacing, a hard ceiling that holds whatever happens after a call's turn (a
  garbage collection, a busy event loop, the network): a call may start (:meth:`Limits.acquire`)
  only while fewer than ``limit`` calls are in flight or ended within the last second
  (:meth:`Limits.finished`). A call reaches Telegram between its start and its answer, so no
  second at Telegram's end ever sees more than the limit; the cost is that the sustained rate is
  ``limit / (1 s + the Bot API's latency)`` when that is below the pacing.
* Per group the limit is a ceiling over a minute: a burst of 3, refilled at ``(20 - 3) / 60``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class ScaledClock:
    """The monotonic clock running `scale` times faster (1: real time).

    Tests of rate limits and retry waits use it to see a minute of Telegram's limits in a few
    seconds, with every limit and wait unchanged in the clock's own seconds."""

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError(f"a clock's scale must be positive, not {scale}")
        self.scale = scale
        self._origin = time.monotonic()

    def now(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * self.scale

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.scale)


class TokenBucket:
    """A token bucket in its GCRA form: ``capacity`` tokens at once, then one per ``1/rate`` s.

    Its whole state is the theoretical arrival time of the next send, so a waiter can *reserve*
    a token ahead (:meth:`reserve`): waiters are served in turn, each sleeping exactly as long as
    needed, without waking each other up.
    """

    def __init__(self, rate: float, capacity: int = 1, clock: Clock = time.monotonic) -> None:
        if rate <= 0 or not math.isfinite(rate):
            raise ValueError("rate must be a positive number")
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.rate = rate
        self.capacity = capacity
        self.interval = 1.0 / rate
        self._tolerance = (capacity - 1) * self.interval
        self._tat = -math.inf
        self._clock = clock

    @classmethod
    def within(
        cls, limit: float, window: float, burst: int = 1, clock: Clock = time.monotonic
    ) -> TokenBucket:
        """A bucket that never lets more than ``limit`` sends into any ``window`` seconds."""
        if window <= 0:
            raise ValueError("window must be positive")
        burst = max(1, min(burst, math.ceil(limit / 2)))
        if limit <= burst:
            raise ValueError(f"a limit of {limit} per window leaves no room for a burst of {burst}")
        return cls((limit - burst) / window, burst, clock)

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now

    def delay(self, now: float | None = None) -> float:
        """Seconds until a token is free (0.0: one is free now)."""
        return max(0.0, self._tat - self._tolerance - self._now(now))

    def take(self, now: float | None = None) -> None:
        """Use a token now, free or not (callers check :meth:`delay` first)."""
        now = self._now(now)
        self._tat = max(self._tat, now) + self.interval

    def try_take(self, now: float | None = None) -> bool:
        """Use a token if one is free now; never waits."""
        now = self._now(now)
        if self.delay(now) > 0:
            return False
        self.take(now)
        return True

    def reserve(self, now: float | None = None) -> float:
        """Claim the next token; returns how many seconds to wait before using it."""
        now = self._now(now)
        wait = self.delay(now)
        self._tat = max(self._tat, now) + self.interval
        return wait

    def pause(self, seconds: float, now: float | None = None) -> None:
        """No token for ``seconds`` (Telegram said retry_after); then one at a time again."""
        now = self._now(now)
        self._tat = max(self._tat, now + seconds + self._tolerance)

    def idle(self, now: float | None = None) -> bool:
        """Full again: indistinguishable from a new bucket."""
        return self._tat <= self._now(now)


WINDOW = 1.0
"""Seconds in which at most SEND_RATE calls may reach Telegram (a closed interval)."""
EPSILON = 0.001


class _Ceiling:
    """At most ``limit`` calls in flight or answered within the last ``WINDOW`` s."""

    def __init__(self, limit: int, clock: Clock) -> None:
        self.limit, self._clock = limit, clock
        self.flying = 0
        self._ends: deque[float] = deque()
        self.ended = asyncio.Event()

    def wait(self, now: float) -> float | None:
        """0.0 when a call may start now; seconds until one may; None: wait for an answer."""
        ends = self._ends
        while ends and ends[0] + WINDOW < now:  # more than a second ago: out of every window
            ends.popleft()
        if self.flying + len(ends) < self.limit:
            return 0.0
        return ends[0] + WINDOW - now + EPSILON if ends else None

    def release(self, answered: bool) -> None:
        """A call ended (``answered``: it may have reached Telegram), or never started."""
        self.flying -= 1
        if answered:
            self._ends.append(self._clock())
        self.ended.set()


class _Gate:
    """The overall limit's waiters, served one at a time by priority (0 first), then in turn.

    One task hands out the turns, so a waiter arriving with priority 0 is served at the next
    turn however many lower-priority waiters queued before it (GCRA reservations would have
    promised every later token to those who came first). A turn is a token of the pacing bucket
    and a place under the ceiling, held until :meth:`Limits.finished`."""

    def __init__(
        self,
        bucket: TokenBucket,
        ceiling: _Ceiling,
        paused: Callable[[], float],
        clock: Clock,
        sleep: Sleep,
    ) -> None:
        self.bucket, self.ceiling, self._paused = bucket, ceiling, paused
        self._clock, self._sleep = clock, sleep
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._server: asyncio.Task[None] | None = None

    async def turn(self, priority: int) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        if self._server is None or self._server.done():
            self._server = asyncio.ensure_future(self._serve())
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted, then cancelled: give back
                self.ceiling.release(answered=False)
            raise

    async def _serve(self) -> None:
        while self._waiting:
            if self._waiting[0][2].done():  # its waiter was cancelled
                heapq.heappop(self._waiting)
                continue
            room = self.ceiling.wait(self._clock())
            if room is None:
                self.ceiling.ended.clear()
                await self.ceiling.ended.wait()
                continue
            wait = max(self._paused(), self.bucket.delay(), room)
            if wait > 0:
                await self._sleep(wait)
                continue
            _, _, future = heapq.heappop(self._waiting)
            self.bucket.take()
            self.ceiling.flying += 1
            future.set_result(None)
            await asyncio.sleep(0)  # let the waiter run before the next turn


@dataclass
class _ChatLimit:
    bucket: TokenBucket
    group: TokenBucket | None = None
    users: int = 0
    """Waiters in :meth:`Limits.acquire`; a chat in use is never forgotten."""

    def delay(self, now: float) -> float:
        own = self.bucket.delay(now)
        return own if self.group is None else max(own, self.group.delay(now))

    def take(self, now: float) -> None:
        self.bucket.take(now)
        if self.group is not None:
            self.group.take(now)

    def idle(self, now: float) -> bool:
        return (
            self.users == 0
            and self.bucket.idle(now)
            and (self.group is None or self.group.idle(now))
        )


class Limits:
    """The buckets of one bot: overall, per chat, per group; plus pauses after a 429."""

    def __init__(
        self,
        per_second: float = 30,
        per_chat_per_second: float = 1,
        per_group_per_minute: float = 20,
        *,
        chat_burst: int = 3,
        group_window: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock, self._sleep = clock, sleep
        # a burst of 2: a turn handed out late (timer slack) is made up, not lost; the ceiling
        # keeps any second within the limit
        self._overall = TokenBucket(per_second, 2, clock)
        self._ceiling = _Ceiling(max(1, math.floor(per_second)), clock)
        self._gate = _Gate(self._overall, self._ceiling, self.paused, clock, sleep)
        self._per_chat = per_chat_per_second
        self._chat_burst = chat_burst
        self._group_limit, self._group_window = per_group_per_minute, group_window
        TokenBucket.within(per_group_per_minute, group_window, chat_burst)  # fail early if absurd
        self._chats: dict[int, _ChatLimit] = {}
        self._sweep_at = 1024
        self._paused_until = -math.inf
        self._last_flood: tuple[int, float] | None = None

    def _chat(self, chat_id: int, group: bool) -> _ChatLimit:
        state = self._chats.get(chat_id)
        if state is None:
            if len(self._chats) >= self._sweep_at:
                self.forget_idle()
                self._sweep_at = max(1024, 2 * len(self._chats))
            bucket = TokenBucket(self._per_chat, self._chat_burst, self._clock)
            state = self._chats[chat_id] = _ChatLimit(bucket)
        if (group or chat_id < 0) and state.group is None:
            state.group = TokenBucket.within(
                self._group_limit, self._group_window, self._chat_burst, self._clock
            )
        return state

    def forget_idle(self) -> int:
        """Drop the buckets of chats that are full again (they would be created anew the same)."""
        now = self._clock()
        idle = [chat for chat, state in self._chats.items() if state.idle(now)]
        for chat in idle:
            del self._chats[chat]
        return len(idle)

    def __len__(self) -> int:
        return len(self._chats)

    def paused(self, now: float | None = None) -> float:
        """Seconds left of a bot-wide pause (0.0 when none)."""
        return max(0.0, self._paused_until - (self._clock() if now is None else now))

    def try_take(self, chat_id: int, group: bool = False) -> bool:
        """A token of every bucket that applies, if all are free now; never waits."""
        now = self._clock()
        state = self._chat(chat_id, group)
        if self.paused(now) > 0 or state.delay(now) > 0 or self._ceiling.wait(now) != 0.0:
            return False
        if not self._overall.try_take(now):
            return False
        state.take(now)
        self._ceiling.flying += 1  # Telegram runs it as it reads our answer: about now
        self._ceiling.release(answered=True)
        return True

    async def acquire(self, chat_id: int, group: bool = False, priority: int = 0) -> None:
        """Wait until a message may go to this chat, and use the tokens for it; among those
        waiting for the overall limit, lower ``priority`` goes first."""
        state = self._chat(chat_id, group)
        state.users += 1
        try:
            while True:
                now = self._clock()
                wait = max(self.paused(now), state.delay(now))
                if wait > 0:
                    await self._sleep(wait)
                    continue
                await self._gate.turn(priority)
                now = self._clock()
                if state.delay(now) > 0:
                    self._ceiling.release(answered=False)
                    continue  # a pause, or a reply in a webhook response, came first
                state.take(now)
                return
        finally:
            state.users -= 1

    def finished(self) -> None:
        """A call that :meth:`acquire` let go got its answer (or failed): it counts against
        the limit for ``WINDOW`` s more, since it may have reached Telegram just now."""
        self._ceiling.release(answered=True)

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        state = self._chat(chat_id, False)
        state.bucket.pause(seconds)
        if state.group is not None:
            state.group.pause(seconds)

    def pause_all(self, seconds: float) -> None:
        now = self._clock()
        self._paused_until = max(self._paused_until, now + seconds)
        self._overall.pause(seconds, now)

    def flood(self, chat_id: int | None, retry_after: float) -> bool:
        """Telegram answered 429: pause that chat; pause everything when it looks bot-wide.

        Bot-wide means: the call had no chat, or another chat got a 429 within the last
        ``retry_after`` seconds (Telegram does not say which limit was hit). Returns True then.
        """
        now = self._clock()
        last, self._last_flood = self._last_flood, None
        if chat_id is not None:
            self._last_flood = (chat_id, now)
            self.pause_chat(chat_id, retry_after)
            if last is None or last[0] == chat_id or now - last[1] > max(retry_after, 1.0):
                return False
        self.pause_all(retry_after)
        return True

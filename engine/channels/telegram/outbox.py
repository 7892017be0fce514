"""Every Bot API send goes out here: in order per chat, within Telegram's limits, errors handled.

One worker task per chat with something queued sends that chat's calls strictly in order; different
chats go out in parallel, all drawing on the buckets of :mod:`engine.channels.telegram.ratelimit`.

What happens on errors:

* 429 (flood control): wait ``retry_after`` (the chat is paused; a 429 that looks bot-wide pauses
  every chat) and send the same call again, up to ``max_retries`` times;
* 403 (the user blocked the bot, or it was removed from the group): ``on_blocked(pseudonym)`` once,
  and the rest of that chat's queue is dropped;
* 5xx and network errors: retried with exponential backoff, up to ``max_retries`` times;
* anything else (400 ...), or retries used up: ``on_failure(pseudonym, method, code, description)``
  and a WARNING that names the method, the code and a pseudonym prefix, never a chat id or text.
  ``code`` is the HTTP status; 5xx is reported as 500 (aiogram keeps no more), and 0 stands for a
  network error, an exception on our side, or a message still queued when :meth:`Outbox.stop`
  gave up waiting. Nothing is dropped without one of the two callbacks.

Calls fed from the outbox table (:meth:`Outbox.enqueue_rows`, by
:mod:`engine.channels.telegram.sender`) carry their row id and priority: each one's fate is told
to ``on_outcome`` (sent, failed, dropped), and :meth:`Outbox.stop` with ``finish_queued=False``
finishes only the calls in flight and leaves the rest untold, for the feeder to requeue.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram import exceptions as tg
from aiogram.types import InputFile

from engine.channels.telegram.bot_calls import METHODS, describe, file_id_of
from engine.channels.telegram.ratelimit import Limits, ScaledClock
from engine.channels.telegram.replies import Call

log = logging.getLogger("clixchat.outbox")
STOPPED = "not sent: the outbox stopped first"

OnBlocked = Callable[[str], Awaitable[None]]
OnFailure = Callable[[str, str, int, str], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    """What became of a call fed from the outbox table."""

    row: int
    status: str
    """sent, failed, or dropped (a 403: the participant blocked the bot). A row never tried
    (the outbox stopped first) has no outcome: its feeder puts it back in the queue."""
    attempts: int
    error: str | None = None


OnOutcome = Callable[[Outcome], "asyncio.Future[None] | None"]
"""Told each outcome; may return a future that settles once the outcome is recorded: the chat's
next call waits for it, so at most one call per chat is ever sent and not yet recorded."""
OnFileId = Callable[[str, str], None]


@dataclass
class OutboxStats:
    sent: int = 0
    """Messages delivered."""
    retried: int = 0
    """Attempts repeated after a 429, a 5xx or a network error."""
    failed: int = 0
    """Messages given up on: on_failure was called for each (also those stop() could not send)."""
    blocked: int = 0
    """403 answers (on_blocked was called)."""
    dropped: int = 0
    """Messages not attempted: queued behind a 403, or still queued when stop() gave up."""
    answered: int = 0
    """Callback queries answered."""


@dataclass
class _Item:
    call: Call
    pseudonym: str
    done: asyncio.Future[None] | None = None
    row: int | None = None
    priority: int = 0
    recorded: asyncio.Future[None] | None = None


@dataclass
class _Queue:
    group: bool
    items: deque[_Item] = field(default_factory=deque)
    worker: asyncio.Task[Any] | None = None


class Outbox:
    """Queues Bot API calls per chat and sends them within Telegram's limits.

    ``chat_burst`` and ``group_window`` (seconds in which ``per_group_per_minute`` applies) and
    ``backoff`` (first wait after a 5xx, doubling) exist so tests can scale time down.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        on_blocked: OnBlocked | None = None,
        on_failure: OnFailure | None = None,
        per_second: float = 30,
        per_chat_per_second: float = 1,
        per_group_per_minute: float = 20,
        max_retries: int = 5,
        chat_burst: int = 3,
        group_window: float = 60.0,
        backoff: float = 0.5,
        close_bot: bool = True,
        clock: ScaledClock | None = None,
        on_outcome: OnOutcome | None = None,
        on_file_id: OnFileId | None = None,
    ) -> None:
        self.bot = bot
        self.file_ids: dict[str, str] = {}
        self.on_outcome, self.on_file_id = on_outcome, on_file_id
        self.stats = OutboxStats()
        self.clock = clock or ScaledClock()
        self.limits = Limits(
            per_second,
            per_chat_per_second,
            per_group_per_minute,
            chat_burst=chat_burst,
            group_window=group_window,
            clock=self.clock.now,
            sleep=self.clock.sleep,
        )
        self.max_retries = max_retries
        self._on_blocked, self._on_failure = on_blocked, on_failure
        self._backoff = backoff
        self._close_bot = close_bot
        self._queues: dict[int, _Queue] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._uploads: dict[str, asyncio.Lock] = {}
        self._running = False
        self._stopped = False
        self._halting = False
        self._executing: set[asyncio.Task[Any]] = set()

    # ---- what the webhook, `poll` and the scheduler call ----------------------------------

    def pending(self, chat_id: int) -> bool:
        """Anything queued or in flight for this chat."""
        return chat_id in self._queues

    def chats(self) -> list[int]:
        """Chats with anything queued or in flight."""
        return list(self._queues)

    def take_inline_slot(self, chat_id: int) -> bool:
        """Use the rate-limit tokens for a reply riding in a webhook response body, if free now.

        False when none are free, and also while this chat has anything queued (the reply must
        then queue behind it to keep the order).
        """
        if self.pending(chat_id):
            return False
        return self.limits.try_take(chat_id)

    def enqueue(self, chat_id: int, calls: list[Call], pseudonym: str, group: bool = False) -> None:
        """Queue calls for one chat, to go out in this order after anything queued before."""
        self._put(chat_id, calls, pseudonym, group, None)

    def enqueue_rows(
        self, chat_id: int, rows: list[tuple[Call, int, int]], pseudonym: str, group: bool = False
    ) -> None:
        """Queue outbox rows, (call, row id, priority) each, for one chat, in this order."""
        self._put(chat_id, [call for call, _, _ in rows], pseudonym, group, None)
        queued = self._queues[chat_id].items
        for item, (_, row, priority) in zip(
            list(queued)[len(queued) - len(rows) :], rows, strict=True
        ):
            item.row, item.priority = row, priority

    def queued(self) -> int:
        """Calls queued or in flight, over every chat."""
        return sum(len(queue.items) for queue in self._queues.values())

    async def send_now(self, chat_id: int, calls: list[Call], pseudonym: str) -> None:
        """Queue the calls and wait until they are sent or given up on (callbacks called)."""
        if not self._running:
            raise RuntimeError("the outbox is not running: await start() first")
        if not calls:
            return
        done = asyncio.get_running_loop().create_future()
        self._put(chat_id, calls, pseudonym, False, done)
        await asyncio.shield(done)

    def answer_callback(self, callback_query_id: str, text: str | None = None) -> None:
        """Answer a callback query in the background: at once, not bound by any chat's limit."""
        if self._stopped:
            raise RuntimeError("the outbox is stopped")
        call = Call("answerCallbackQuery", {"callback_query_id": callback_query_id, "text": text})
        self._spawn(self._deliver(None, False, _Item(call, "")))

    # ---- lifetime -------------------------------------------------------------------------

    async def start(self) -> None:
        self._running, self._stopped = True, False
        for chat_id, queue in self._queues.items():
            if queue.worker is None:
                queue.worker = self._spawn(self._serve(chat_id, queue))

    async def stop(self, drain_timeout: float = 10, finish_queued: bool = True) -> None:
        """Send what is queued (for at most ``drain_timeout`` s), report the rest, close the bot.

        With ``finish_queued=False`` only the calls in flight are finished: each chat's worker
        stops after its current call, and the rows not tried are left to the feeder."""
        self._stopped = True
        self._halting = not finish_queued
        if self._halting:  # a call still waiting for its turn is not started any more
            for task in self._tasks - self._executing:
                task.cancel()
        if not self._running:
            await self._give_up_queued()  # started never: nothing could be sent
        loop = asyncio.get_running_loop()
        deadline = loop.time() + drain_timeout
        while self._tasks and (remaining := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=remaining)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._running = False
        await self._give_up_queued()
        if self._close_bot:
            await self.bot.session.close()

    async def _give_up_queued(self) -> None:
        left = [item for queue in self._queues.values() for item in queue.items]
        self._queues.clear()
        for item in left:
            if item.row is not None:  # not tried: the feeder puts its row back in the queue
                _settle(item)
        left = [item for item in left if item.row is None]
        if left:
            log.warning("outbox stopped with %d message(s) unsent", len(left))
        self.stats.dropped += len(left)
        # reported together, so a store can record a backlog in one transaction
        await asyncio.gather(*(self._fail(item, 0, STOPPED, log_it=False) for item in left))
        for item in left:
            _settle(item)

    # ---- the per-chat workers -------------------------------------------------------------

    def _put(
        self,
        chat_id: int,
        calls: list[Call],
        pseudonym: str,
        group: bool,
        done: asyncio.Future[None] | None,
    ) -> None:
        if self._stopped:
            raise RuntimeError("the outbox is stopped")
        if not calls:
            return
        queue = self._queues.get(chat_id)
        if queue is None:
            queue = self._queues[chat_id] = _Queue(group=group or chat_id < 0)
        queue.group = queue.group or group
        items = [_Item(call, pseudonym) for call in calls]
        items[-1].done = done
        queue.items.extend(items)
        if self._running and queue.worker is None:
            queue.worker = self._spawn(self._serve(chat_id, queue))

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _serve(self, chat_id: int, queue: _Queue) -> None:
        try:
            while queue.items and not self._halting:
                item = queue.items[0]
                delivered_or_failed = await self._deliver(chat_id, queue.group, item)
                if delivered_or_failed:
                    if item.recorded is not None:
                        await asyncio.shield(item.recorded)
                    _settle(queue.items.popleft())
                    continue
                dropped = list(queue.items)[1:]  # blocked: the rest of this chat's queue goes
                queue.items.clear()
                self.stats.dropped += len(dropped)
                for each in (item, *dropped):
                    if each is not item:
                        self._tell(each, "dropped", 0, "403: the participant blocked the bot")
                    _settle(each)
        finally:
            queue.worker = None
            if not queue.items and self._queues.get(chat_id) is queue:
                del self._queues[chat_id]

    async def _deliver(self, chat_id: int | None, group: bool, item: _Item) -> bool:
        """Send one call, retrying as its error allows. False when the chat has blocked the bot.

        Without a chat (answerCallbackQuery) no bucket applies: only a 429 makes it wait.
        """
        attempt = 0
        while True:
            if chat_id is not None:
                await self.limits.acquire(chat_id, group, item.priority)
            try:
                task = asyncio.current_task()
                if task is not None:
                    self._executing.add(task)
                try:
                    await self._execute(item.call)
                finally:
                    if task is not None:
                        self._executing.discard(task)
                    if chat_id is not None:
                        self.limits.finished()
            except tg.TelegramRetryAfter as error:
                if attempt >= self.max_retries:
                    return await self._fail(item, *describe(error), attempts=attempt + 1)
                attempt += 1
                self.stats.retried += 1
                if chat_id is None:
                    await self.clock.sleep(error.retry_after)
                elif self.limits.flood(chat_id, error.retry_after):
                    log.warning("flood control: every chat paused for %ss", error.retry_after)
            except tg.TelegramForbiddenError as error:
                if chat_id is None:
                    return await self._fail(item, *describe(error), attempts=attempt + 1)
                self.stats.blocked += 1
                log.info("blocked: %s, queue for this chat dropped", _tag(item.pseudonym))
                self._tell(item, "dropped", attempt + 1, "403: the participant blocked the bot")
                await self._callback(self._on_blocked, item.pseudonym)
                return False
            except (tg.TelegramServerError, tg.TelegramNetworkError) as error:
                if attempt >= self.max_retries or isinstance(error, tg.TelegramEntityTooLarge):
                    return await self._fail(item, *describe(error), attempts=attempt + 1)
                attempt += 1
                self.stats.retried += 1
                await self.clock.sleep(min(self._backoff * 2 ** (attempt - 1), 60.0))
            except Exception as error:  # 400 and the rest: not worth repeating
                return await self._fail(item, *describe(error), attempts=attempt + 1)
            else:
                if chat_id is None:
                    self.stats.answered += 1
                else:
                    self.stats.sent += 1
                    self._tell(item, "sent", attempt + 1)
                return True

    async def _execute(self, call: Call) -> Any:
        method = METHODS.get(call.method)
        if method is None:
            raise ValueError(f"unsupported method {call.method}")
        key = call.upload_key
        if key is None:
            return await self.bot(method(**call.params))
        if key in self.file_ids:
            return await self.bot(method(**self._by_file_id(call.params, key)))
        lock = self._uploads.setdefault(key, asyncio.Lock())
        async with lock:  # the same file going to two chats at once is uploaded once
            if key in self.file_ids:
                return await self.bot(method(**self._by_file_id(call.params, key)))
            result = await self.bot(method(**call.params))
            file_id = file_id_of(result)
            if file_id is not None:
                self.file_ids[key] = file_id
                self._uploads.pop(key, None)
                if self.on_file_id is not None:
                    self.on_file_id(key, file_id)
            return result

    def _by_file_id(self, params: dict[str, Any], key: str) -> dict[str, Any]:
        file_id = self.file_ids[key]
        return {k: file_id if isinstance(v, InputFile) else v for k, v in params.items()}

    # ---- reporting ------------------------------------------------------------------------

    async def _fail(
        self, item: _Item, code: int, description: str, *, attempts: int = 0, log_it: bool = True
    ) -> bool:
        """Give up on a call: count it, log it (no personal data), tell on_failure."""
        self.stats.failed += 1
        self._tell(item, "failed", attempts, f"{code} {description}")
        if log_it:
            log.warning(
                "%s failed for %s after %d attempt(s): %d %s",
                item.call.method,
                _tag(item.pseudonym),
                attempts,
                code,
                description,
            )
        await self._callback(self._on_failure, item.pseudonym, item.call.method, code, description)
        return True

    def _tell(self, item: _Item, status: str, attempts: int, error: str | None = None) -> None:
        if item.row is not None and self.on_outcome is not None:
            item.recorded = self.on_outcome(Outcome(item.row, status, attempts, error))

    async def _callback(self, callback: Callable[..., Awaitable[None]] | None, *args: Any) -> None:
        if callback is None:
            return
        try:
            await callback(*args)
        except Exception:
            log.exception("outbox callback %s failed", getattr(callback, "__name__", "?"))


def _settle(item: _Item) -> None:
    if item.done is not None and not item.done.done():
        item.done.set_result(None)


def _tag(pseudonym: str) -> str:
    """A pseudonym's prefix: enough to follow one participant through a log, nothing more."""
    return pseudonym[:10] or "-"

"""The deployment's one sender: delivers the outbox table to the Bot API.

Replies are written to the outbox table in the same transaction as their interaction
(:mod:`engine.storage.outbox_sql`); nothing is kept only in memory. Every `serve` process
(every worker, every host) runs a :class:`Sender`, and the one holding the sender lock
(a PostgreSQL advisory lock; a file lock beside a SQLite database) delivers: so `SEND_RATE`,
1/s per chat, 20/min per group and each chat's order hold for the whole bot, and the others
stand by to take over when it dies (its lock goes with its connection or process).

The sender claims whole participants' queues (replies to people who just wrote first), feeds
them to the :class:`~engine.channels.telegram.outbox.Outbox` (which keeps the limits, retries,
429s and 403s), and records each outcome in the table in batches: a row is marked sent only
after the Bot API's success. On taking over it puts the rows its predecessor had claimed back
in the queue (at least once: a call in flight at a crash may go twice, never zero times).
On stop (SIGTERM) it claims nothing more, finishes the calls in flight, records them, and
leaves the rest queued for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from engine.channels.telegram.outbox import Outbox, Outcome
from engine.channels.telegram.replies import Call, call_for
from engine.storage.outbox_sql import (
    DROPPED,
    FAILED,
    ClaimedRow,
    Mark,
    OutboxTable,
)

if TYPE_CHECKING:
    from engine.storage.leader import Lock
    from engine.storage.sql import Session
    from engine.storage.store import Store

log = logging.getLogger("clixchat.sender")
T = TypeVar("T")


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        store: Store,
        lock: Lock,
        *,
        poll: float = 0.1,
        lock_retry: float = 2.0,
        window: int = 200,
        on_marked: Callable[[str], None] | None = None,
    ) -> None:
        self.outbox, self.store, self.lock = outbox, store, lock
        self.poll, self.lock_retry = poll, lock_retry
        self.window = max(20, window)
        """Rows held in memory at most (the claim stops there); a reply is claimed anyway."""
        self.leader = False
        self._on_marked = on_marked
        self._wake = asyncio.Event()
        self._stopping = False
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._marked = asyncio.Event()
        self._recorded: list[asyncio.Future[None]] = []
        self._claimed: dict[int, ClaimedRow] = {}
        self._checked_at = 0.0
        self._marks: list[Mark] = []
        self._blocked: set[int] = set()
        self._files: list[tuple[str, str]] = []
        outbox.on_outcome = self._outcome
        outbox.on_file_id = self._file_id

    # ----------------------------------------------------------------- lifetime
    async def start(self) -> None:
        await self.outbox.start()
        self._stopping = self._closing = False
        self._task = asyncio.ensure_future(self._run())
        self._flusher = asyncio.ensure_future(self._record())

    def wake(self) -> None:
        """Rows were committed (by this process): look at once."""
        self._wake.set()

    async def drain(self, timeout: float = 30.0) -> bool:
        """Wait (at most ``timeout`` s) until the outbox table holds nothing unsent; for
        commands that stop when their work is done (`poll --once`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            self.wake()
            if not self.outbox.queued() and (await outbox_depth(self.store))[0] == 0:
                return True
            await asyncio.sleep(0.05)
        return False

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Claim nothing more, finish the calls in flight, record them, leave the rest queued."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
            self._task = None
        await self.outbox.stop(drain_timeout, finish_queued=False)
        if self._flusher is not None:  # let a write under way finish, not cut it off
            self._closing = True
            self._marked.set()
            with contextlib.suppress(Exception):
                await self._flusher
            self._flusher = None
        try:
            await self._flush()
            left = list(self._claimed)  # claimed, never tried or cut off mid-call
            if left:
                await self._table(lambda table: table.requeue(left))
            self._claimed.clear()
        except Exception as error:  # the rows stay claimed; the next sender requeues them
            log.warning("outcomes not recorded at stop (%s)", type(error).__name__)
        if self.leader:
            with contextlib.suppress(Exception):
                await self.lock.release()
            self.leader = False

    # ----------------------------------------------------------------- the loop
    async def _run(self) -> None:
        while not self._stopping:
            try:
                if not self.leader and not await self._lead():
                    await self._pause(self.lock_retry)
                    continue
                if not await self._still_leading():
                    continue
                await self._claim()
            except Exception as error:
                name = type(error).__name__
                log.warning("the sender could not reach the outbox table (%s)", name)
                await self._pause(1.0)
                continue
            await self._pause(self.poll)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _record(self) -> None:
        """Record outcomes as they come (batched while a write is running): a chat's next call
        waits for its previous one to be recorded, so a crash repeats at most one per chat."""
        while not self._closing:
            await self._marked.wait()
            self._marked.clear()
            try:
                await self._flush()
            except Exception as error:
                log.warning("outcomes not recorded yet (%s)", type(error).__name__)
                if not self._closing:
                    await asyncio.sleep(1.0)
                    self._marked.set()

    async def _still_leading(self) -> bool:
        """Every few seconds: is the lock still ours (a PostgreSQL connection can drop)?"""
        now = asyncio.get_running_loop().time()
        if now < self._checked_at + 5.0:
            return True
        self._checked_at = now
        if await self.lock.holding():
            return True
        log.warning("the sender lock was lost; another process may take over the outbox")
        self.leader = False
        return False

    async def _lead(self) -> bool:
        if not await self.lock.acquire():
            return False
        self.leader = True
        requeued = await self._table(lambda table: table.requeue())
        files = await self._table(lambda table: table.file_ids())
        self.outbox.file_ids.update(files)
        log.info("this process sends the outbox now (%d claimed row(s) requeued)", requeued)
        return True

    async def _claim(self) -> None:
        held = self.outbox.queued()
        room = self.window - held
        replies = 100 if held < 4 * self.window else 0
        bulk = max(0, room // 4)
        if replies == 0 and bulk == 0:
            return
        rows = await self._table(lambda table: table.claim(replies, bulk))
        if not rows:
            return
        per_chat: dict[int, list[tuple[Call, int, int]]] = {}
        pseudonyms: dict[int, str] = {}
        unreadable: list[Mark] = []
        now = datetime.now(UTC)
        for row in rows:
            chat_id = self.store.open_chat(row.chat_cipher)
            if chat_id is None:  # a chat id this secret cannot open: nothing can send it
                unreadable.append(Mark(row.id, FAILED, 0, now, "0 chat id unreadable"))
                continue
            self._claimed[row.id] = row
            call = call_for(chat_id, row.message, self.outbox.file_ids)
            per_chat.setdefault(chat_id, []).append((call, row.id, row.priority))
            pseudonyms[chat_id] = row.pseudonym
        self._marks.extend(unreadable)
        for chat_id, calls in per_chat.items():
            self.outbox.enqueue_rows(chat_id, calls, pseudonyms[chat_id], group=chat_id < 0)

    # ----------------------------------------------------------------- outcomes
    def _outcome(self, outcome: Outcome) -> asyncio.Future[None]:
        row = self._claimed.pop(outcome.row, None)
        status = outcome.status
        self._marks.append(
            Mark(outcome.row, status, outcome.attempts, datetime.now(UTC), outcome.error)
        )
        if status == DROPPED and row is not None:
            self._blocked.add(row.participant_id)
        if self._on_marked is not None:
            self._on_marked(status)
        recorded = asyncio.get_running_loop().create_future()
        self._recorded.append(recorded)
        self._marked.set()
        return recorded

    def _file_id(self, key: str, file_id: str) -> None:
        self._files.append((key, file_id))

    async def _flush(self) -> None:
        marks, self._marks = self._marks, []
        blocked, self._blocked = self._blocked, set()
        files, self._files = self._files, []
        recorded, self._recorded = self._recorded, []
        if not (marks or blocked or files):
            _settle_all(recorded)
            return
        now = datetime.now(UTC)

        async def record(table: OutboxTable) -> None:
            await table.mark(marks)
            for participant in blocked:
                await table.drop_participant(participant)
            for key, file_id in files:
                await table.remember_file(key, file_id, now)

        try:
            await self._table(record)
        except Exception:
            self._marks[:0], self._files[:0] = marks, files
            self._recorded[:0] = recorded
            self._blocked |= blocked
            raise
        _settle_all(recorded)

    async def _table(self, work: Callable[[OutboxTable], Awaitable[T]]) -> T:
        async def run(session: Session) -> T:
            return await work(OutboxTable(session.dialect, session.db))

        return await self.store.chore(run)


async def outbox_depth(store: Store) -> tuple[int, datetime | None]:
    """Messages waiting in the outbox table, and when the oldest was written."""

    async def run(session: Any) -> tuple[int, datetime | None]:
        return await OutboxTable(session.dialect, session.db).depth()

    return await store.chore(run)


def _settle_all(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)

"""Durable conversations: every event is handled inside one database transaction.

One transaction per event: the participant is loaded (row-locked on PostgreSQL), moved to
their flow's current revision if it changed, the runtime runs, and the new position, the
interaction and the processed update id are written together. A failure anywhere rolls all
of it back and re-raises, so the webhook answers non-2xx and Telegram delivers the update
again; an update id seen before is answered as a duplicate, with no second interaction.

Group commit: concurrent `handle()` calls queue their events for one committer task, which
takes up to `batch_max` of them into ONE transaction (participants loaded in one statement,
processed in memory in arrival order, written back with bulk statements) and then answers
each caller. A batch that fails is retried one event per transaction, so one bad event
cannot sink the others: each caller gets its own event's outcome.

Ordering: within a process the committer is the only writer and takes events in arrival
order, so two events of one participant never interleave (they take effect in the order
`handle()` was called; in one batch they are applied one after the other). Across processes
the participant rows are locked with SELECT ... FOR UPDATE on PostgreSQL.

SQLite is for one process (the default `sqlite://clixchat.db`, WAL, synchronous=NORMAL):
run `serve` with one worker. PostgreSQL is the way to run several workers or hosts.

Privacy: a participant is found by pseudonym (keyed HMAC of channel and user id); the chat id
is stored only encrypted; names, usernames and phone numbers are never given to the store.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise import Tortoise
from tortoise.connection import connections
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from engine.authoring.live import LiveFlows
from engine.core.events import Inbound
from engine.core.revision_moves import Move
from engine.core.runtime import Runtime, Turn
from engine.storage.apply_event import apply_event, reset_participant
from engine.storage.db import tortoise_config
from engine.storage.outbox_sql import BOT_INITIATED, QUEUED, REPLY, SENT_UNCONFIRMED, OutboxRecord
from engine.storage.privacy import Privacy
from engine.storage.sql import (
    BatchSession,
    Dialect,
    InteractionRecord,
    ParticipantRow,
    SendFailure,
    Session,
    utc,
)
from engine.storage.sqlite_session import available as fast_sqlite_available
from engine.storage.sqlite_session import sqlite_session

log = logging.getLogger("clixchat.store")
T = TypeVar("T")
CHAT_CACHE = 20_000
"""Decrypted chat ids remembered by cipher text, so a busy chat is not decrypted per event."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of one event, once it is durable."""

    turn: Turn | None
    """What the runtime did; None for a duplicate update."""
    pseudonym: str
    chat_id: int | None
    """The chat to reply to (decrypted); None for the console or when never known."""
    duplicate: bool
    moves: list[Move] = field(default_factory=list)
    """Revision migrations applied just before the event (each also recorded)."""
    queued: int = 0
    """Replies written to the outbox with the event (the sender delivers them)."""
    inline: bool = False
    """The one reply was recorded as sent_unconfirmed: the caller returns it in its answer."""


@dataclass
class StoreStats:
    events: int = 0
    batches: int = 0
    failed_batches: int = 0
    largest_batch: int = 0


@dataclass
class _Event:
    channel: str
    pseudonym: str
    event: Inbound
    chat_id: int | None
    update_id: int | None
    received: datetime
    future: asyncio.Future[Delivery]
    inline: bool = False


@dataclass
class _Chore:
    """Other work on the tables, run by the committer in its own transaction, in turn."""

    work: Callable[[Session], Awaitable[Any]]
    future: asyncio.Future[Any]


class Store:
    def __init__(
        self,
        flows: LiveFlows,
        privacy: Privacy,
        *,
        database_url: str,
        batch_max: int = 64,
        outbox_channels: Collection[str] = (),
    ) -> None:
        self.flows = flows
        self.outbox_channels = frozenset(outbox_channels)
        """Channels whose replies go through the outbox table (written with the event)."""
        self.on_queued: Callable[[], None] | None = None
        """Called after a commit that queued replies: wakes the sender."""
        self.privacy = privacy
        self.database_url = database_url
        self.batch_max = max(1, batch_max)
        self.stats = StoreStats()
        self._queue: deque[_Event | _Chore | None] = deque()
        self._wake = asyncio.Event()
        self._starting = asyncio.Lock()
        self._committer: asyncio.Task[None] | None = None
        self._dialect = Dialect(postgres=False)
        self._fast_sqlite = False
        self._chats: dict[str, int | None] = {}
        self._context: TortoiseContext | None = None
        self._run_context = contextvars.copy_context()
        """Set when the store initialised Tortoise itself (then it closes it)."""
        self._recorded_generation: int | None = None
        self._closed = False
        self._failures: list[SendFailure] = []
        self._failures_flush: asyncio.Future[int] | None = None

    # ----------------------------------------------------------------- public API
    async def handle(
        self,
        channel: str,
        event: Inbound,
        *,
        user_id: int | str | None = None,
        pseudonym: str | None = None,
        chat_id: int | None = None,
        update_id: int | None = None,
        received_at: datetime | None = None,
        inline: bool = False,
    ) -> Delivery:
        """Handle one event durably; raises (with nothing saved) if it could not be.

        With ``inline``, a single reply that needs no upload is recorded as sent_unconfirmed
        (it rides in the webhook's answer) instead of queued."""
        who = self._pseudonym(channel, user_id, pseudonym)
        received = utc(received_at) if received_at is not None else datetime.now(UTC)
        if "\x00" in event.text or "\x00" in event.payload:
            # PostgreSQL refuses NUL in text and JSON: such an update would fail forever
            event = replace(
                event,
                text=event.text.replace("\x00", ""),
                payload=event.payload.replace("\x00", ""),
            )
        loop = asyncio.get_running_loop()
        job = _Event(
            channel, who, event, chat_id, update_id, received, loop.create_future(), inline
        )
        await self._enqueue(job)
        return await job.future

    async def set_active(self, channel: str, user_id: int | str, active: bool) -> None:
        """Mark a participant as having blocked the bot (False) or come back (True)."""
        await self.set_active_pseudonym(self.privacy.pseudonym(channel, user_id), active)

    async def set_active_pseudonym(self, pseudonym: str, active: bool) -> None:
        """The same, for a sender that knows only the pseudonym (a 403 from the Bot API)."""
        await self.chore(lambda session: session.set_active(pseudonym, active))

    async def record_send_failure(
        self, pseudonym: str, method: str, code: int, description: str
    ) -> None:
        """Record a reply that could not be delivered (kind send_failed): never lost silently.
        Failures arriving together (an outbox stopping with a backlog) share one transaction."""
        self._failures.append(SendFailure(pseudonym, method, code, description, datetime.now(UTC)))
        if self._failures_flush is None:
            self._failures_flush = asyncio.ensure_future(self.chore(self._flush_failures))
        await asyncio.shield(self._failures_flush)

    async def _flush_failures(self, session: Session) -> int:
        failures, self._failures, self._failures_flush = self._failures, [], None
        return await session.send_failed(failures)

    async def due_timeouts(self, now: datetime, limit: int = 500) -> list[tuple[str, str]]:
        """(pseudonym, "flow:node") of active participants whose waiting node timed out."""
        moment = utc(now)
        result: list[tuple[str, str]] = await self.chore(lambda session: session.due(moment, limit))
        return result

    async def record_revisions(self) -> int:
        """Record each current flow's revision (id, sha256, source); returns how many were new."""
        count: int = await self.chore(self._record_revisions)
        return count

    async def reset(self, channel: str, user_id: int | str) -> None:
        """Forget a participant's position and variables (`chat --fresh`); history stays."""
        who = self.privacy.pseudonym(channel, user_id)
        await self.chore(lambda session: self._reset(session, who))

    async def close(self) -> None:
        """Finish what is queued, stop the committer, close the database if the store opened it."""
        self._closed = True
        if self._committer is not None:
            self._queue.append(None)
            self._wake.set()
            await self._committer
            self._committer = None
        if self._context is not None:
            context, self._context = self._context, None
            await context.close_connections()

    # ----------------------------------------------------------------- queueing
    def _pseudonym(self, channel: str, user_id: int | str | None, pseudonym: str | None) -> str:
        if pseudonym is not None:
            return pseudonym
        if user_id is None:
            raise ValueError("Store.handle needs a user_id or a pseudonym")
        return self.privacy.pseudonym(channel, user_id)

    async def _start(self) -> None:
        """Start the committer: on the caller's Tortoise setup if there is one, else on a
        Tortoise context of the store's own (the caller's context is left untouched)."""
        async with self._starting:
            if self._committer is not None:
                return
            run = contextvars.copy_context()
            if not Tortoise.is_inited():
                own = TortoiseContext()
                run.run(own.__enter__)
                init = own.init(config=tortoise_config(self.database_url))
                await asyncio.create_task(init, context=run)
                self._context = own
            self._run_context = run
            postgres = run.run(_dialect_name) == "postgres"
            self._dialect = Dialect(postgres=postgres)
            self._fast_sqlite = not postgres and fast_sqlite_available()
            self._committer = asyncio.create_task(
                self._commit_loop(), name="store-committer", context=run
            )

    async def read(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run a read (the dashboard's queries, account checks) on the store's Tortoise setup."""
        if self._committer is None and not self._closed:
            await self._start()

        async def run() -> T:
            return await work()

        return await asyncio.create_task(run(), context=self._run_context.copy())

    async def _enqueue(self, job: _Event | _Chore) -> None:
        if self._committer is None and not self._closed:
            await self._start()
        if self._closed:  # checked right before queueing: nothing can land after the stop mark
            raise RuntimeError("the store is closed")
        self._queue.append(job)
        self._wake.set()

    async def chore(self, work: Callable[[Session], Awaitable[T]]) -> T:
        """Run ``work`` in its own transaction, in turn with the events (also the sender's
        claims and marks: on SQLite the store's connection is the only one)."""
        job = _Chore(work, asyncio.get_running_loop().create_future())
        await self._enqueue(job)
        result: T = await job.future
        return result

    async def _commit_loop(self) -> None:
        while True:
            if not self._queue:
                self._wake.clear()
                await self._wake.wait()
                continue
            await asyncio.sleep(0)  # let callers woken by the last commit queue their next event
            job = self._queue.popleft()
            if job is None:
                return
            if isinstance(job, _Chore):
                await self._run_chore(job)
                continue
            batch = [job]
            while self._queue and len(batch) < self.batch_max:
                following = self._queue[0]
                if not isinstance(following, _Event):
                    break
                batch.append(following)
                self._queue.popleft()
            try:
                await self._commit(batch)
            except Exception as error:  # a bug here must not stop the committer
                log.error(
                    "the store's committer failed on a batch (%s)",
                    type(error).__name__,
                    exc_info=log.isEnabledFor(logging.DEBUG),
                )
                for item in batch:
                    _fail(item.future, error)

    # ----------------------------------------------------------------- committing
    async def _commit(self, batch: list[_Event]) -> None:
        runtime = self.flows.current()
        if self.flows.generation != self._recorded_generation:
            await self._record_after_reload()
        self.stats.batches += 1
        self.stats.events += len(batch)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        try:
            deliveries = await self._transaction(batch, runtime)
        except Exception as error:
            if len(batch) == 1:
                _fail(batch[0].future, error)
                return
            self.stats.failed_batches += 1
            log.warning(
                "a batch of %d events failed (%s); retrying one event per transaction",
                len(batch),
                type(error).__name__,
            )
            for item in batch:
                try:
                    (delivery,) = await self._transaction([item], runtime)
                except Exception as single:
                    log.warning("an event was rolled back (%s)", type(single).__name__)
                    _fail(item.future, single)
                else:
                    if delivery.queued and self.on_queued is not None:
                        self.on_queued()
                    _succeed(item.future, delivery)
            return
        if self.on_queued is not None and any(d.queued for d in deliveries):
            self.on_queued()
        for item, delivery in zip(batch, deliveries, strict=True):
            _succeed(item.future, delivery)

    async def _transaction(self, batch: list[_Event], runtime: Runtime) -> list[Delivery]:
        now = datetime.now(UTC)
        channels: dict[str, str] = {}  # pseudonym -> channel, in order of first appearance
        for item in batch:
            channels.setdefault(item.pseudonym, item.channel)
        update_ids = list(dict.fromkeys(i.update_id for i in batch if i.update_id is not None))
        async with self._session() as session:
            rows, fresh = await session.load(channels, update_ids, now)
            deliveries: list[Delivery] = []
            records: list[InteractionRecord] = []
            outbox: list[OutboxRecord] = []
            for item in batch:
                row = rows[item.pseudonym]
                if item.update_id is not None:
                    if item.update_id not in fresh:
                        deliveries.append(self._duplicate(item, row))
                        continue
                    fresh.discard(item.update_id)  # a second copy in this batch is a repeat
                if item.chat_id is not None and self._chat_of(row) != item.chat_id:
                    row.chat_cipher = self._seal(item.chat_id)
                applied = apply_event(
                    runtime, row, item.event, update_id=item.update_id, received=item.received
                )
                records.extend(applied.records)
                chat = item.chat_id if item.chat_id is not None else self._chat_of(row)
                replies = self._replies(item, row, applied.turn, now)
                outbox.extend(replies)
                inline = len(replies) == 1 and replies[0].status == SENT_UNCONFIRMED
                deliveries.append(
                    Delivery(
                        applied.turn,
                        item.pseudonym,
                        chat,
                        False,
                        applied.moves,
                        queued=0 if inline else len(replies),
                        inline=inline,
                    )
                )
            await session.save([row for row in rows.values() if row.touched], records, outbox)
        return deliveries

    def _replies(
        self, item: _Event, row: ParticipantRow, turn: Turn, now: datetime
    ) -> list[OutboxRecord]:
        """The outbox rows of one event: for a channel the sender serves and a known chat."""
        if row.channel not in self.outbox_channels or row.chat_cipher is None:
            return []
        priority = BOT_INITIATED if item.event.kind == "timeout" else REPLY
        status = QUEUED
        if item.inline and len(turn.messages) == 1 and turn.messages[0].path is None:
            status = SENT_UNCONFIRMED
        return [
            OutboxRecord(row.id, row.chat_cipher, priority, message, now, status)
            for message in turn.messages
        ]

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[BatchSession]:
        if self._fast_sqlite:
            async with sqlite_session(connections.get("default"), self._dialect) as fast:
                yield fast
        else:
            async with in_transaction("default") as db:
                yield Session(self._dialect, db)

    def _seal(self, chat_id: int) -> str:
        cipher = self.privacy.seal(chat_id)
        self._remember_chat(cipher, chat_id)
        return cipher

    def _chat_of(self, row: ParticipantRow) -> int | None:
        """The participant's chat id, decrypted once per cipher text and remembered."""
        if row.chat_cipher is None:
            return None
        return self.open_chat(row.chat_cipher)

    def _remember_chat(self, cipher: str, chat_id: int | None) -> None:
        if len(self._chats) >= CHAT_CACHE:
            del self._chats[next(iter(self._chats))]
        self._chats[cipher] = chat_id

    def _duplicate(self, item: _Event, row: ParticipantRow) -> Delivery:
        chat = item.chat_id if item.chat_id is not None else self._chat_of(row)
        return Delivery(None, item.pseudonym, chat, True, [])

    def open_chat(self, cipher: str) -> int | None:
        """A stored chat cipher's chat id (decrypted once and remembered)."""
        if cipher in self._chats:
            return self._chats[cipher]
        known = self.privacy.open(cipher)
        self._remember_chat(cipher, known)
        return known

    async def _run_chore(self, job: _Chore) -> None:
        try:
            async with in_transaction("default") as db:
                result = await job.work(Session(self._dialect, db))
        except Exception as error:
            _fail(job.future, error)
        else:
            _succeed(job.future, result)

    # ----------------------------------------------------------------- chores
    async def _record_revisions(self, session: Session) -> int:
        generation = self.flows.generation
        revisions = [(f.id, f.revision, f.source) for f in self.flows.flows()]
        new = await session.add_revisions(revisions, datetime.now(UTC))
        self._recorded_generation = generation
        return new

    async def _record_after_reload(self) -> None:
        """Loading (or reloading) the flows records their revisions before anyone moves."""
        try:
            async with in_transaction("default") as db:
                new = await self._record_revisions(Session(self._dialect, db))
        except Exception as error:
            log.warning("could not record flow revisions (%s)", type(error).__name__)
            return
        if new:
            log.info("recorded %d new flow revision(s)", new)

    async def _reset(self, session: Session, who: str) -> None:
        row = (await session.lock([who])).get(who)
        if row is not None:
            record = reset_participant(row, self.flows.runtime.main, datetime.now(UTC))
            await session.save([row], [record], [])


def _dialect_name() -> str:
    return str(connections.get("default").capabilities.dialect)


def _succeed(future: asyncio.Future[T], result: T) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)

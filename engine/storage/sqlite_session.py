"""SQLite's fast path: a batch's statements in two trips to the connection's thread.

aiosqlite runs each statement in its own thread, and each statement is a trip there and back
(tens of microseconds; a dozen per transaction through Tortoise's transaction API). Here the
reading half of a transaction (BEGIN IMMEDIATE, load and create participants, mark updates
processed) is one trip and the writing half (update participants, insert interactions,
COMMIT) another, with the same statements as engine.storage.sql, while Tortoise's own lock on
its single SQLite connection is held, so nothing else uses the connection in between.

It relies on aiosqlite's `Connection._execute` (run a function in the connection's thread);
`available()` says whether it is there, and the store falls back to the generic path if not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

import aiosqlite
from tortoise.backends.base.client import BaseDBAsyncClient

from engine.storage import outbox_sql
from engine.storage.outbox_sql import OutboxRecord
from engine.storage.sql import Dialect, InteractionRecord, ParticipantRow


def available() -> bool:
    return callable(getattr(aiosqlite.Connection, "_execute", None))


class SqliteSession:
    def __init__(self, dialect: Dialect, connection: aiosqlite.Connection) -> None:
        self.dialect = dialect
        self.connection = connection
        self.open = False

    async def _run(self, work: Any, *args: Any) -> Any:
        return await cast(Any, self.connection)._execute(work, *args)

    async def load(
        self, channels: dict[str, str], update_ids: Sequence[int], now: datetime
    ) -> tuple[dict[str, ParticipantRow], set[int]]:
        result: tuple[dict[str, ParticipantRow], set[int]] = await self._run(
            self._load, channels, update_ids, now
        )
        return result

    async def save(
        self,
        rows: Sequence[ParticipantRow],
        records: Sequence[InteractionRecord],
        outbox: Sequence[OutboxRecord] = (),
    ) -> None:
        await self._run(self._save, rows, records, outbox)

    # ----------------------------------------------------------------- in SQLite's thread
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection = cast(Any, self.connection)._conn
        return db

    def _lock(self, db: sqlite3.Connection, pseudonyms: list[str]) -> dict[str, ParticipantRow]:
        if not pseudonyms:
            return {}
        query, values = self.dialect.lock(pseudonyms)
        loaded = (self.dialect.row(row) for row in db.execute(query, values).fetchall())
        return {row.pseudonym: row for row in loaded}

    def _load(
        self, channels: dict[str, str], update_ids: Sequence[int], now: datetime
    ) -> tuple[dict[str, ParticipantRow], set[int]]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade from a read later
        self.open = True
        rows = self._lock(db, list(channels))
        newcomers = [(p, channel) for p, channel in channels.items() if p not in rows]
        if newcomers:
            db.executemany(*self.dialect.create(newcomers, now))
            rows.update(self._lock(db, [p for p, _ in newcomers]))
        fresh: set[int] = set()
        if update_ids:
            query, values = self.dialect.mark_processed(update_ids, now)
            fresh = {int(row[0]) for row in db.execute(query, values).fetchall()}
        return rows, fresh

    def _save(
        self,
        rows: Sequence[ParticipantRow],
        records: Sequence[InteractionRecord],
        outbox: Sequence[OutboxRecord],
    ) -> None:
        db = self._db()
        query, values = self.dialect.update_participants(rows)
        if values:
            db.executemany(query, values)
        query, values = self.dialect.insert_interactions(records)
        if values:
            db.executemany(query, values)
        if outbox:
            db.executemany(*outbox_sql.insert(self.dialect, outbox))
        db.commit()
        self.open = False


@asynccontextmanager
async def sqlite_session(
    client: BaseDBAsyncClient, dialect: Dialect
) -> AsyncIterator[SqliteSession]:
    """A transaction on Tortoise's SQLite connection; rolled back unless `save` committed it."""
    async with client.acquire_connection() as connection:
        session = SqliteSession(dialect, connection)
        try:
            yield session
        finally:
            if session.open:
                await connection.rollback()

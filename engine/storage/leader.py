"""Which process runs the scheduled jobs: exactly one across workers and hosts.

PostgreSQL: a session-level advisory lock held on a connection of its own. The lock is the
database's, so every worker on every host that shares the database competes for the same one;
when the holder dies (even `kill -9`) its connection closes and the server releases the lock.

SQLite: an exclusive `flock` on a file beside the database (`clixchat.db.scheduler.lock`); the
kernel releases it when the holding process dies. SQLite serves one host, so that is enough.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from typing import IO, Any, Protocol

from engine.storage.db import is_postgres
from engine.storage.job_runs import asyncpg_dsn, sqlite_path

ADVISORY_KEY = 0x0C11C4A7_5C4ED
"""The advisory lock's key: 'clixchat scheduler' (advisory locks are per database)."""
SENDER_KEY = 0x0C11C4A7_5E4D0
"""The sender's advisory lock: one process delivers the outbox table."""


class Lock(Protocol):
    async def acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it."""
        ...

    async def holding(self) -> bool:
        """Whether the lock taken is still held (the connection may have been lost)."""
        ...

    async def release(self) -> None: ...


def scheduler_lock(database_url: str) -> Lock:
    if is_postgres(database_url):
        return AdvisoryLock(database_url)
    return FileLock(lock_path(database_url))


def sender_lock(database_url: str) -> Lock:
    """Who delivers the outbox table: one process for the whole deployment."""
    if is_postgres(database_url):
        return AdvisoryLock(database_url, SENDER_KEY)
    return FileLock(lock_path(database_url, "sender"))


def lock_path(database_url: str, role: str = "scheduler") -> str | None:
    """The lock file beside a SQLite database (None for an in-memory one: one process)."""
    path = sqlite_path(database_url)
    if not path or path == ":memory:":
        return None
    return f"{path}.{role}.lock"


class AdvisoryLock:
    def __init__(self, database_url: str, key: int = ADVISORY_KEY) -> None:
        self.database_url = database_url
        self.key = key
        self._connection: Any = None

    async def acquire(self) -> bool:
        import asyncpg  # type: ignore[import-untyped]

        if self._connection is not None:
            return await self.holding()
        connection = await asyncpg.connect(asyncpg_dsn(self.database_url), timeout=10)
        try:
            got = bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key))
        except BaseException:
            await connection.close()
            raise
        if not got:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def holding(self) -> bool:
        if self._connection is None:
            return False
        try:
            await self._connection.fetchval("SELECT 1", timeout=10)
        except Exception:
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        # on an error the connection is going anyway, and closing it releases the lock
        with contextlib.suppress(Exception):
            await self._connection.fetchval("SELECT pg_advisory_unlock($1)", self.key, timeout=5)
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        try:
            await connection.close(timeout=5)
        except Exception:
            connection.terminate()


class FileLock:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self._file: IO[bytes] | None = None
        self._held = False

    async def acquire(self) -> bool:
        if self._held:
            return True
        if self.path is None:  # in-memory SQLite: one process, nothing to compete with
            self._held = True
            return True
        handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file, self._held = handle, True
        return True

    async def holding(self) -> bool:
        return self._held

    async def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
        self._file, self._held = None, False

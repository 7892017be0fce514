"""The job_run table: one row per scheduled run, written on a connection of its own.

The scheduler may run in a process with no Tortoise set-up of its own (the store keeps its
Tortoise context to itself), so runs are written with the drivers directly: asyncpg on
PostgreSQL, the standard library's sqlite3 (in a thread) on SQLite. Values take the forms the
ORM uses (timestamptz; ISO text in UTC on SQLite), so the JobRun model reads them back.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from engine.storage.db import is_postgres
from engine.storage.sql import Dialect, _moment

KEEP_FREQUENT = timedelta(days=30)
"""Runs of the frequent jobs (timeouts every 30 s) older than this are pruned."""


@dataclass(frozen=True)
class LastRun:
    job: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    detail: str
    host: str


LIBPQ_OPTIONS = {
    "host", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "passfile",
    "target_session_attrs", "application_name",
}  # fmt: skip


def asyncpg_dsn(url: str) -> str:
    """A DATABASE_URL as asyncpg takes it: its own scheme, the connection options kept and
    Tortoise's pool options (minsize, maxsize, ...) dropped."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in LIBPQ_OPTIONS]
    return urlunsplit(parts._replace(scheme="postgresql", query=urlencode(kept)))


def sqlite_path(url: str) -> str:
    """The file of a sqlite:// URL (`sqlite://clixchat.db`, `sqlite:///srv/x.db`)."""
    return url[len("sqlite://") :].split("?", 1)[0]


class JobRuns:
    """Start, finish and read job runs in DATABASE_URL."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.postgres = is_postgres(database_url)
        self.dialect = Dialect(postgres=self.postgres)

    async def start(self, job: str, host: str, now: datetime | None = None) -> int:
        """A row with outcome `running`; returns its id."""
        query = (
            "INSERT INTO job_run (job, started_at, outcome, detail, host)"
            " VALUES (?, ?, 'running', '', ?) RETURNING id"
        )
        rows = await self._run(query, [job, self.dialect.when(now or datetime.now(UTC)), host])
        return int(rows[0]["id"])

    async def finish(
        self, run_id: int, outcome: str, detail: str, now: datetime | None = None
    ) -> None:
        query = "UPDATE job_run SET finished_at = ?, outcome = ?, detail = ? WHERE id = ?"
        moment = now or datetime.now(UTC)
        await self._run(query, [self.dialect.when(moment), outcome, detail[:2000], run_id])

    async def abandon(self, now: datetime | None = None) -> int:
        """Mark runs still `running` as failed: called by a scheduler taking the lock, when no
        other scheduler can be running one (their holder stopped or died mid-run)."""
        query = (
            "UPDATE job_run SET finished_at = ?, outcome = 'failed',"
            " detail = 'the scheduler running it stopped before it finished'"
            " WHERE outcome = 'running' RETURNING id"
        )
        return len(await self._run(query, [self.dialect.when(now or datetime.now(UTC))]))

    async def prune(self, jobs: list[str], now: datetime | None = None) -> None:
        """Forget runs of the given (frequent) jobs older than KEEP_FREQUENT."""
        if not jobs:
            return
        marks = ", ".join("?" * len(jobs))
        query = f"DELETE FROM job_run WHERE job IN ({marks}) AND started_at < ?"
        cutoff = (now or datetime.now(UTC)) - KEEP_FREQUENT
        await self._run(query, [*jobs, self.dialect.when(cutoff)])

    async def last_runs(self) -> dict[str, LastRun]:
        """The newest run of each job."""
        query = (
            "SELECT r.job, r.started_at, r.finished_at, r.outcome, r.detail, r.host FROM job_run r"
            " JOIN (SELECT job, MAX(id) AS id FROM job_run GROUP BY job) m ON m.id = r.id"
        )
        return {row["job"]: _last_run(row) for row in await self._run(query, [])}

    async def runs(self, job: str) -> list[LastRun]:
        """Every recorded run of one job, oldest first."""
        query = (
            "SELECT job, started_at, finished_at, outcome, detail, host FROM job_run"
            " WHERE job = ? ORDER BY id"
        )
        return [_last_run(row) for row in await self._run(query, [job])]

    # ----------------------------------------------------------------- drivers
    async def _run(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        if self.postgres:
            return await self._postgres(self.dialect.sql(query), values)
        return await asyncio.to_thread(self._sqlite, query, values)

    async def _postgres(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        import asyncpg  # type: ignore[import-untyped]

        connection = await asyncpg.connect(asyncpg_dsn(self.database_url), timeout=10)
        try:
            rows = await connection.fetch(query, *values, timeout=30)
            return [dict(row) for row in rows]
        finally:
            await connection.close()

    def _sqlite(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        connection = sqlite3.connect(sqlite_path(self.database_url), timeout=10)
        try:
            connection.row_factory = sqlite3.Row
            with connection:
                rows = connection.execute(query, values).fetchall()
            return [dict(row) for row in rows]
        finally:
            connection.close()


def _last_run(row: dict[str, Any]) -> LastRun:
    started = _moment(row["started_at"])
    assert started is not None
    return LastRun(
        job=row["job"],
        started_at=started,
        finished_at=_moment(row["finished_at"]),
        outcome=row["outcome"],
        detail=row["detail"],
        host=row["host"],
    )

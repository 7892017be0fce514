"""Whole-database copies for backups: `pg_dump -Fc` / `pg_restore` on PostgreSQL, SQLite's
online backup API on SQLite; row counts per table; a read connection for the export.

PostgreSQL: the counts, the CSV export and the dump all read one snapshot (a REPEATABLE READ
transaction whose snapshot `pg_dump --snapshot` shares), so the manifest describes exactly
what the dump holds even while the bot keeps writing. SQLite: the online backup is a
consistent copy, and the counts and export are read from that copy.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from engine.storage.db import is_postgres
from engine.storage.export import Fetch

NOT_DATA = ("aerich",)
"""Tables whose rows do not count as "the database holds data" (migration bookkeeping)."""
DUMP_TIMEOUT = 6 * 3600.0


class DumpError(Exception):
    """A one-line reason a dump or restore could not be done."""


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite://PATH` URL (relative or, with a third slash, absolute)."""
    return Path(url.removeprefix("sqlite://").split("?", 1)[0])


def libpq_env(url: str) -> dict[str, str]:
    """The connection as libpq environment variables (a password never goes on a command line)."""
    parts = urlsplit(url)
    env = {"PGDATABASE": unquote(parts.path.lstrip("/")) or "postgres"}
    if parts.hostname:
        env["PGHOST"] = parts.hostname
    if parts.port:
        env["PGPORT"] = str(parts.port)
    if parts.username:
        env["PGUSER"] = unquote(parts.username)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return env


def _asyncpg_dsn(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(scheme="postgresql", query="").geturl()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DumpError(f"{name} not found: install Debian's postgresql-client")
    return found


async def run_tool(args: list[str], url: str, timeout: float = DUMP_TIMEOUT) -> None:
    """Run pg_dump / pg_restore against the database of `url`; its error as one line."""
    env = {**os.environ, **libpq_env(url)}
    process = await asyncio.create_subprocess_exec(
        _tool(args[0]), *args[1:], env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        _out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise DumpError(f"{args[0]} took longer than {timeout:.0f} s") from None
    if process.returncode != 0:
        lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        raise DumpError(f"{args[0]} failed: {lines[0] if lines else process.returncode}")


@dataclass
class Reader:
    """A read connection: `fetch` for the export, the tables and their row counts."""

    kind: str
    fetch: Fetch

    @property
    def postgres(self) -> bool:
        return self.kind == "postgres"

    async def tables(self) -> list[str]:
        if self.postgres:
            query = "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        else:
            query = (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        return sorted(str(row["name"]) for row in await self.fetch(query, []))

    async def counts(self) -> dict[str, int]:
        counts = {}
        for table in await self.tables():
            (row,) = await self.fetch(f'SELECT COUNT(*) AS n FROM "{table}"', [])
            counts[table] = int(row["n"])
        return counts

    async def migration_head(self) -> str | None:
        if "aerich" not in await self.tables():
            return None
        rows = await self.fetch("SELECT version FROM aerich ORDER BY id DESC LIMIT 1", [])
        return str(rows[0]["version"]) if rows else None


@asynccontextmanager
async def postgres_snapshot(url: str) -> AsyncIterator[tuple[Reader, str]]:
    """A read-only REPEATABLE READ transaction and its exported snapshot id (for pg_dump)."""
    import asyncpg  # type: ignore[import-untyped]

    try:
        connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=30)
    except (OSError, asyncpg.PostgresError) as error:
        raise DumpError(f"cannot connect to the database ({type(error).__name__})") from None
    try:
        transaction = connection.transaction(isolation="repeatable_read", readonly=True)
        await transaction.start()
        snapshot = str(await connection.fetchval("SELECT pg_export_snapshot()"))

        async def fetch(query: str, values: list[Any]) -> list[dict[str, Any]]:
            return [dict(row) for row in await connection.fetch(query, *values)]

        try:
            yield Reader("postgres", fetch), snapshot
        finally:
            await transaction.rollback()
    finally:
        await connection.close()


@asynccontextmanager
async def sqlite_reader(path: Path) -> AsyncIterator[Reader]:
    """Reads a SQLite file (read-only) in a worker thread."""
    if not path.is_file():
        raise DumpError(f"no such database file: {path}")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row

    def run(query: str, values: list[Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in connection.execute(query, values).fetchall()]

    async def fetch(query: str, values: list[Any]) -> list[dict[str, Any]]:
        return await asyncio.to_thread(run, query, values)

    try:
        yield Reader("sqlite", fetch)
    finally:
        connection.close()


@asynccontextmanager
async def target_reader(url: str) -> AsyncIterator[Reader]:
    """A reader on the database of `url` as it is now (restore's checks)."""
    if is_postgres(url):
        async with postgres_snapshot(url) as (reader, _snapshot):
            yield reader
        return
    path = sqlite_path(url)
    if not path.exists():
        sqlite3.connect(path).close()  # an empty database, as `serve` would make
    async with sqlite_reader(path) as reader:
        yield reader


def sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy of a live database, page by page."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst, pages=4096)
    finally:
        dst.close()
        src.close()


async def holds_data(reader: Reader) -> dict[str, int]:
    """The tables that hold rows (other than migration bookkeeping)."""
    counts = await reader.counts()
    return {t: n for t, n in counts.items() if n and t not in NOT_DATA}

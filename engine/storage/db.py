"""Database connection: Tortoise config from DATABASE_URL, SQLite tuned for a single process."""

from __future__ import annotations

import logging
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise

# Tortoise logs every statement with its parameters (what participants typed) at DEBUG: keep
# that logger at INFO even when an operator turns on debug logging.
logging.getLogger("tortoise.db_client").setLevel(logging.INFO)

MODELS = ["engine.storage.models"]


def tuned_url(url: str) -> str:
    """SQLite gets WAL and synchronous=NORMAL (durable at each commit under WAL, except on
    power loss of the host, where the last transactions may roll back); other URLs pass."""
    if not url.startswith("sqlite://"):
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("journal_mode", "WAL")
    query.setdefault("synchronous", "NORMAL")
    query.setdefault("busy_timeout", "5000")
    return urlunsplit(parts._replace(query=urlencode(query)))


def tortoise_config(url: str, with_aerich: bool = True) -> dict[str, Any]:
    models = [*MODELS, "aerich.models"] if with_aerich else list(MODELS)
    return {
        "connections": {"default": tuned_url(url)},
        "apps": {"models": {"models": models, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def connect(url: str) -> None:
    await Tortoise.init(config=tortoise_config(url))


async def close() -> None:
    await Tortoise.close_connections()


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://", "psycopg://"))


TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://clixchat.db")
"""The config aerich's own command line reads (see aerich.ini)."""


async def check_reachable(url: str) -> None:
    """Connect and run one query, so a command fails at once, in one line, on an unreachable or
    unknown database instead of part-way through its work."""
    import asyncio
    import contextvars
    import sqlite3

    if url.startswith("sqlite://"):
        # the standard library's driver, not aiosqlite, whose worker thread prints a traceback
        # of its own when the file cannot be opened
        path = urlsplit(url).path if url.startswith("sqlite:///") else url[len("sqlite://") :]
        path = path.split("?", 1)[0]
        if path and path != ":memory:":
            sqlite3.connect(path).close()
        return

    async def probe() -> None:
        await Tortoise.init(config=tortoise_config(url, with_aerich=False))
        try:
            from tortoise.connection import connections

            await connections.get("default").execute_query("SELECT 1")
        finally:
            await Tortoise.close_connections()

    await asyncio.create_task(probe(), context=contextvars.Context())


def is_database_failure(error: BaseException) -> bool:
    """Whether an error came from the database (down, unreachable, refusing) rather than from
    the data: such an update is worth receiving again later."""
    import sqlite3

    from tortoise.exceptions import BaseORMException

    if isinstance(
        error, BaseORMException | sqlite3.Error | ConnectionError | TimeoutError | OSError
    ):
        return True
    return type(error).__module__.startswith(("asyncpg", "aiosqlite"))

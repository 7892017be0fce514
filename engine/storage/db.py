"""Database connection: Tortoise config from DATABASE_URL, SQLite tuned for a single process."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise

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


def migrations_dir(url: str) -> str:
    """aerich writes SQL for one dialect, so each dialect keeps its own migrations folder."""
    from pathlib import Path

    dialect = "postgres" if is_postgres(url) else "sqlite"
    return str(Path(__file__).parent / "migrations" / dialect)


TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or "sqlite://clixchat.db")
"""The config aerich's own command line reads (see aerich.ini)."""


async def upgrade(url: str) -> list[str]:
    """Apply the committed aerich migrations for this database's dialect; returns those applied.

    aerich's Tortoise setup runs in a context of its own, so it never leaks into the caller's."""
    import asyncio
    import contextvars

    return await asyncio.create_task(_upgrade(url), context=contextvars.Context())


async def _upgrade(url: str) -> list[str]:
    from aerich import Command

    command = Command(
        tortoise_config=tortoise_config(url), app="models", location=migrations_dir(url)
    )
    await command.init()
    try:
        applied: list[str] = await command.upgrade(run_in_transaction=True)
    finally:
        await command.aclose()
    return applied

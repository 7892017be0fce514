"""Database fixtures: a fresh SQLite file always; a fresh PostgreSQL database when
CLIXCHAT_TEST_POSTGRES names a server (e.g. postgres://postgres@127.0.0.1:5432/postgres).

Each test gets its own database with the schema made from the models
(Tortoise.generate_schemas); a PostgreSQL one gets a random name and is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from tortoise import Tortoise
from tortoise.connection import connections

from engine.authoring.live import LiveFlows
from engine.storage.db import tortoise_config
from engine.storage.privacy import Privacy
from engine.storage.store import Store

POSTGRES_ENV = "CLIXCHAT_TEST_POSTGRES"


@dataclass
class Database:
    url: str
    kind: str
    """sqlite or postgres"""

    async def rows(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await connections.get("default").execute_query_dict(
            query, values
        )
        return result

    async def tables(self) -> list[str]:
        if self.kind == "postgres":
            found = await self.rows(
                "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            )
        else:
            found = await self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(str(row["name"]) for row in found)

    async def dump(self) -> str:
        """Every row of every table, every column, as text."""
        lines = []
        for table in await self.tables():
            for row in await self.rows(f'SELECT * FROM "{table}"'):
                lines.append(f"{table}: " + " | ".join(f"{k}={v!s}" for k, v in row.items()))
        return "\n".join(lines)

    async def count(self, table: str) -> int:
        (row,) = await self.rows(f'SELECT COUNT(*) AS n FROM "{table}"')
        return int(row["n"])


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    parts = urlsplit(url)
    dsn = urlunsplit(parts._replace(scheme="postgresql"))
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_url(kind: str, folder: Path, label: str = "clixchat-test") -> AsyncIterator[str]:
    """A URL of a new, empty database (SQLite file, or a PostgreSQL database dropped after)."""
    if kind == "postgres":
        server = os.environ.get(POSTGRES_ENV)
        if not server:
            pytest.skip(f"set {POSTGRES_ENV} to a PostgreSQL server URL to run this on PostgreSQL")
        name = f"clixchat_test_{uuid.uuid4().hex[:12]}"
        await _admin(server, f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(server, name)
        finally:
            await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite://{folder / (label + '.db')}"


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, empty database with the schema; Tortoise is initialised on it."""
    async with fresh_url(request.param, tmp_path) as url:
        await Tortoise.init(config=tortoise_config(url, with_aerich=False))
        await Tortoise.generate_schemas()
        try:
            yield Database(url, request.param)
        finally:
            await Tortoise.close_connections()


PRIVACY = Privacy("store-test-secret")
HELPDESK = Path(__file__).parents[1] / "fixtures" / "helpdesk.json"


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    """A Store on the fresh database, running the helpdesk fixture flow."""
    flows = LiveFlows([HELPDESK])
    store = Store(flows, PRIVACY, database_url=database.url)
    yield store
    await store.close()

"""What every dashboard query shares: the connection, the dialect, the test-data rule, pages.

Statements are written with `?` (Dialect.sql turns them into $1.. on PostgreSQL). Keyset
positions go into the statement as integers, as in the export: a prepared statement's generic
plan cannot see where a page starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.connection import connections

from engine.storage.export import TEST_CHANNELS
from engine.storage.sql import Dialect, _moment

PAGE_SIZE = 50
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
"""A variable name usable in a `var.NAME=VALUE` filter."""


@dataclass
class Rows:
    """One page of a list and the keyset position of the next page (None on the last)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    next_after: int | None = None
    searched_to: int | None = None
    """A search stopped at this interaction id (older ones not read yet)."""


class Reader:
    """The open Tortoise connection `default` (call inside Store.read) and its dialect."""

    def __init__(self) -> None:
        self.db = connections.get("default")
        self.dialect = Dialect(postgres=str(self.db.capabilities.dialect) == "postgres")

    @property
    def postgres(self) -> bool:
        return self.dialect.postgres

    async def rows(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.db.execute_query_dict(
            self.dialect.sql(query), values or []
        )
        return found

    async def one(self, query: str, values: list[Any] | None = None) -> Any:
        found = await self.rows(query, values)
        return next(iter(found[0].values())) if found else None

    async def many(self, query: str, values: list[list[Any]]) -> None:
        if values:
            await self.db.execute_many(self.dialect.sql(query), values)

    def when(self, moment: datetime | None) -> Any:
        return self.dialect.when(moment)

    def json_text(self, column: str, name: str) -> str:
        """A JSON object column's member `name` as text (name checked against NAME)."""
        if not NAME.match(name):
            raise ValueError(f"not a variable name: {name!r}")
        if self.postgres:
            return f"({column}->>'{name}')"
        path = f"{column}, '$.{name}'"
        return (
            f"(CASE json_type({path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
            f" ELSE CAST(json_extract({path}) AS TEXT) END)"
        )

    def day(self, column: str) -> str:
        """The UTC day (YYYY-MM-DD) of a timestamp column."""
        if self.postgres:
            return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        return f"substr({column}, 1, 10)"


def not_test(alias: str, include_test: bool) -> tuple[str, list[Any]]:
    """The clause that leaves test participants (console, simulator) out unless asked for."""
    if include_test:
        return "1 = 1", []
    marks = ", ".join("?" for _ in TEST_CHANNELS)
    return f"{alias}.channel NOT IN ({marks})", list(TEST_CHANNELS)


def moment(value: Any) -> datetime | None:
    return _moment(value)


def short(text: str | None, limit: int = 120) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""The store's SQL: one batch of events in one transaction, on SQLite or PostgreSQL.

Hand-written statements rather than ORM calls because this is the hot path: a batch costs a
fixed handful of round trips (lock the participants, mark the updates processed, update the
participants, insert the interactions) whatever its size. The tables are the ORM's
(engine.storage.models); values are written in the forms the ORM itself writes and reads.

`Dialect` builds statements and values; `Session` runs a batch through Tortoise's
transactions (PostgreSQL, and SQLite as a fallback); engine.storage.sqlite_session runs the same
statements in two hops to SQLite's thread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient

from engine.core.conversation import Conversation
from engine.core.vocabulary import InteractionKind

if TYPE_CHECKING:
    from engine.storage.outbox_sql import OutboxRecord

_PARTICIPANT = (
    "id, pseudonym, channel, chat_cipher, language, flow, revision, node, path, variables,"
    " awaiting, ended, active, wait_until, last_seen, version"
)
_INTERACTION = (
    "participant_id, flow, revision, node_before, node_after, kind, input_kind, input_text,"
    " input_media, output, buttons, saved, received_at, responded_at, update_id"
)


@dataclass
class ParticipantRow:
    """A participant as loaded for one transaction; `conv` is what the runtime moves."""

    id: int
    pseudonym: str
    channel: str
    chat_cipher: str | None
    conv: Conversation
    active: bool
    wait_until: datetime | None
    version: int
    touched: bool = False


@dataclass
class InteractionRecord:
    """One interaction row; what the engine did not receive or send defaults to empty."""

    participant_id: int
    flow: str
    revision: str
    node_before: str | None
    node_after: str | None
    kind: str
    received_at: datetime
    responded_at: datetime
    input_kind: str = ""
    input_text: str | None = None
    input_media: str | None = None
    output: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    saved: dict[str, Any] = field(default_factory=dict)
    update_id: int | None = None


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _load(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    return utc(value if isinstance(value, datetime) else datetime.fromisoformat(value))


class Dialect:
    """Statements and values for one database kind: placeholders, row locks, value forms."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self._cache: dict[str, str] = {}

    # ----------------------------------------------------------------- value forms
    def sql(self, text: str) -> str:
        """Write statements with `?`; PostgreSQL (asyncpg) gets $1, $2, ..."""
        if not self.postgres:
            return text
        converted = self._cache.get(text)
        if converted is None:
            counter = iter(range(1, 100_000))
            converted = re.sub(r"\?", lambda _: f"${next(counter)}", text)
            self._cache[text] = converted
        return converted

    def when(self, moment: datetime | None) -> Any:
        """Datetimes as the ORM stores them: timestamptz, or ISO text in UTC on SQLite."""
        if moment is None:
            return None
        moment = utc(moment)
        return moment if self.postgres else moment.isoformat(" ", timespec="microseconds")

    def _in(self, values: Sequence[Any], cast: str) -> tuple[str, list[Any]]:
        if self.postgres:
            return f"= ANY(?::{cast}[])", [list(values)]
        return f"IN ({', '.join('?' * len(values))})", list(values)

    # ----------------------------------------------------------------- statements
    def lock(self, pseudonyms: Sequence[str]) -> tuple[str, list[Any]]:
        """Participants by pseudonym, row-locked until commit on PostgreSQL (in id order, so
        two workers lock the same rows in the same order)."""
        where, values = self._in(pseudonyms, "varchar")
        lock = " FOR UPDATE" if self.postgres else ""
        query = f"SELECT {_PARTICIPANT} FROM participant WHERE pseudonym {where} ORDER BY id{lock}"
        return self.sql(query), values

    def create(
        self, newcomers: Iterable[tuple[str, str]], now: datetime
    ) -> tuple[str, list[list[Any]]]:
        """Participants that do not exist yet (another worker may have just made them)."""
        query = (
            "INSERT INTO participant (pseudonym, channel, flow, revision, path, variables,"
            " ended, active, created_at, version) VALUES (?, ?, '', '', '[]', '{}', ?, ?, ?, 0)"
            " ON CONFLICT (pseudonym) DO NOTHING"
        )
        stamp = self.when(now)
        return self.sql(query), [[p, channel, False, True, stamp] for p, channel in newcomers]

    def mark_processed(self, update_ids: Sequence[int], now: datetime) -> tuple[str, list[Any]]:
        """Record update ids as processed, returning those that were new (the rest are
        repeats). A repeat that another worker is handling right now waits for its commit."""
        stamp = self.when(now)
        if self.postgres:
            query = (
                "INSERT INTO processed_update (update_id, processed_at)"
                " SELECT unnest(?::bigint[]), ? ON CONFLICT DO NOTHING RETURNING update_id"
            )
            return self.sql(query), [list(update_ids), stamp]
        query = (
            "INSERT INTO processed_update (update_id, processed_at) VALUES "
            + ", ".join("(?, ?)" for _ in update_ids)
            + " ON CONFLICT DO NOTHING RETURNING update_id"
        )
        return query, [v for uid in update_ids for v in (uid, stamp)]

    def update_participants(self, rows: Iterable[ParticipantRow]) -> tuple[str, list[list[Any]]]:
        query = (
            "UPDATE participant SET chat_cipher = ?, language = ?, flow = ?, revision = ?,"
            " node = ?, path = ?, variables = ?, awaiting = ?, ended = ?, active = ?,"
            " wait_until = ?, last_seen = ?, version = ? WHERE id = ?"
        )
        values = []
        for row in rows:
            conv = row.conv
            seen = datetime.fromtimestamp(conv.last_seen, UTC) if conv.last_seen else None
            values.append(
                [
                    row.chat_cipher,
                    conv.language,
                    conv.flow,
                    conv.revision,
                    conv.node,
                    _dump(conv.path),
                    _dump(conv.variables),
                    conv.awaiting,
                    conv.ended,
                    row.active,
                    self.when(row.wait_until),
                    self.when(seen),
                    row.version,
                    row.id,
                ]
            )
        return self.sql(query), values

    def insert_interactions(
        self, records: Sequence[InteractionRecord]
    ) -> tuple[str, list[list[Any]]]:
        query = (
            f"INSERT INTO interaction ({_INTERACTION})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        values = [
            [
                r.participant_id,
                r.flow,
                r.revision,
                r.node_before,
                r.node_after,
                r.kind,
                r.input_kind,
                r.input_text,
                r.input_media,
                _dump(r.output),
                _dump(r.buttons),
                _dump(r.saved),
                self.when(r.received_at),
                self.when(r.responded_at),
                r.update_id,
            ]
            for r in records
        ]
        return self.sql(query), values

    # ----------------------------------------------------------------- reading rows
    def row(self, row: Any) -> ParticipantRow:
        last_seen = _moment(row["last_seen"])
        conv = Conversation(
            flow=row["flow"] or "",
            node=row["node"],
            revision=row["revision"] or "",
            path=list(_load(row["path"]) or []),
            variables=dict(_load(row["variables"]) or {}),
            language=row["language"],
            awaiting=row["awaiting"],
            ended=bool(row["ended"]),
            last_seen=last_seen.timestamp() if last_seen else None,
        )
        return ParticipantRow(
            id=int(row["id"]),
            pseudonym=row["pseudonym"],
            channel=row["channel"],
            chat_cipher=row["chat_cipher"],
            conv=conv,
            active=bool(row["active"]),
            wait_until=_moment(row["wait_until"]),
            version=int(row["version"]),
        )


class BatchSession(Protocol):
    """One transaction of a batch: load (and lock) the participants, then save."""

    async def load(
        self, channels: dict[str, str], update_ids: Sequence[int], now: datetime
    ) -> tuple[dict[str, ParticipantRow], set[int]]: ...

    async def save(
        self,
        rows: Sequence[ParticipantRow],
        records: Sequence[InteractionRecord],
        outbox: Sequence[OutboxRecord],
    ) -> None: ...


class Session:
    """One transaction through Tortoise (`db` is the transaction's client)."""

    def __init__(self, dialect: Dialect, db: BaseDBAsyncClient) -> None:
        self.dialect, self.db = dialect, db

    async def lock(self, pseudonyms: Sequence[str]) -> dict[str, ParticipantRow]:
        if not pseudonyms:
            return {}
        query, values = self.dialect.lock(pseudonyms)
        rows = await self.db.execute_query_dict(query, values)
        loaded = (self.dialect.row(row) for row in rows)
        return {row.pseudonym: row for row in loaded}

    async def load(
        self, channels: dict[str, str], update_ids: Sequence[int], now: datetime
    ) -> tuple[dict[str, ParticipantRow], set[int]]:
        """Lock (creating the missing ones) the participants named in `channels`
        (pseudonym -> channel), and mark the update ids processed; returns the rows and
        the update ids that are new."""
        rows = await self.lock(list(channels))
        newcomers = [(p, channel) for p, channel in channels.items() if p not in rows]
        if newcomers:
            await self._many(*self.dialect.create(newcomers, now))
            rows.update(await self.lock([p for p, _ in newcomers]))
        fresh: set[int] = set()
        if update_ids:
            query, values = self.dialect.mark_processed(update_ids, now)
            found = await self.db.execute_query_dict(query, values)
            fresh = {int(row["update_id"]) for row in found}
        return rows, fresh

    async def save(
        self,
        rows: Sequence[ParticipantRow],
        records: Sequence[InteractionRecord],
        outbox: Sequence[OutboxRecord] = (),
    ) -> None:
        from engine.storage import outbox_sql

        await self._many(*self.dialect.update_participants(rows))
        await self._many(*self.dialect.insert_interactions(records))
        if outbox:
            await self._many(*outbox_sql.insert(self.dialect, outbox))

    async def _many(self, query: str, values: list[list[Any]]) -> None:
        if values:
            await self.db.execute_many(query, values)

    # ----------------------------------------------------------------- other statements
    async def set_active(self, pseudonym: str, active: bool) -> None:
        query = "UPDATE participant SET active = ? WHERE pseudonym = ?"
        await self.db.execute_query(self.dialect.sql(query), [active, pseudonym])

    async def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        query = (
            "SELECT pseudonym, flow, node FROM participant WHERE active = ? AND ended = ?"
            " AND wait_until IS NOT NULL AND wait_until <= ? AND node IS NOT NULL"
            " ORDER BY wait_until LIMIT ?"
        )
        values = [True, False, self.dialect.when(now), limit]
        rows = await self.db.execute_query_dict(self.dialect.sql(query), values)
        return [(row["pseudonym"], f"{row['flow']}:{row['node']}") for row in rows]

    async def add_revisions(self, revisions: Iterable[tuple[str, str, Any]], now: datetime) -> int:
        """Record flow revisions not seen before; returns how many were new."""
        found = await self.db.execute_query_dict("SELECT flow, sha256 FROM flow_revision")
        known = {(row["flow"], row["sha256"]) for row in found}
        new = [(f, sha, source) for f, sha, source in revisions if (f, sha) not in known]
        query = (
            "INSERT INTO flow_revision (flow, sha256, source, first_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (flow, sha256) DO NOTHING"
        )
        stamp = self.dialect.when(now)
        await self._many(
            self.dialect.sql(query), [[f, sha, _dump(source), stamp] for f, sha, source in new]
        )
        return len(new)

    async def send_failed(self, failures: Sequence[SendFailure]) -> int:
        """Record replies the Bot API refused for good, as interactions of kind send_failed
        (one query per 500 participants, one insert for all)."""
        found: dict[str, Any] = {}
        names = sorted({f.pseudonym for f in failures})
        for start in range(0, len(names), 500):
            where, values = self.dialect._in(names[start : start + 500], "varchar")
            columns = "id, pseudonym, flow, revision, node"
            query = f"SELECT {columns} FROM participant WHERE pseudonym {where}"
            for row in await self.db.execute_query_dict(self.dialect.sql(query), values):
                found[row["pseudonym"]] = row
        records = []
        for failure in failures:
            if failure.pseudonym not in found:
                continue
            row = found[failure.pseudonym]
            place = f"{row['flow']}:{row['node']}" if row["node"] is not None else None
            saved = {
                "method": failure.method,
                "code": failure.code,
                "description": failure.description[:200],
            }
            records.append(
                InteractionRecord(
                    participant_id=int(row["id"]),
                    flow=row["flow"] or "",
                    revision=row["revision"] or "",
                    node_before=place,
                    node_after=place,
                    kind=InteractionKind.SEND_FAILED,
                    saved=saved,
                    received_at=failure.at,
                    responded_at=failure.at,
                )
            )
        await self._many(*self.dialect.insert_interactions(records))
        return len(records)


@dataclass(frozen=True)
class SendFailure:
    pseudonym: str
    method: str
    code: int
    description: str
    at: datetime

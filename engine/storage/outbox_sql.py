"""The outbox table's statements: replies written with their interaction, claimed by the sender,
marked with what the Bot API answered.

A row's life: ``queued`` (written in the event's transaction) → ``sending`` (claimed by the
deployment's one sender) → ``sent`` after the Bot API's success, ``failed`` when it refused for
good or retries ran out, ``dropped`` when the participant blocked the bot (403) and their queue
went with it. ``sent_unconfirmed`` is a reply that rode in a webhook's HTTP answer
(REPLY_IN_RESPONSE): Telegram never says whether it worked. A sender that starts (or takes over)
puts every ``sending`` row back to ``queued``: a call in flight when its predecessor died may be
sent twice, never lost (at least once).

A claim takes whole participants: every queued row of each participant chosen, so one chat's
messages go out in id order (ids grow with each participant's transactions, which hold their row
lock), replies to people who just wrote (priority 0) chosen before bot-initiated ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from engine.core.events import Button, Outbound
from engine.storage.sql import Dialect, _dump, _load, _moment

QUEUED, SENDING, SENT, SENT_UNCONFIRMED, FAILED, DROPPED = (
    "queued",
    "sending",
    "sent",
    "sent_unconfirmed",
    "failed",
    "dropped",
)
UNSENT = (QUEUED, SENDING)
REPLY, BOT_INITIATED = 0, 1


@dataclass(frozen=True)
class OutboxRecord:
    """One message to write with an event's transaction."""

    participant_id: int
    chat_cipher: str
    priority: int
    message: Outbound
    created_at: datetime
    status: str = QUEUED


@dataclass(frozen=True)
class ClaimedRow:
    id: int
    participant_id: int
    pseudonym: str
    chat_cipher: str
    priority: int
    message: Outbound


@dataclass(frozen=True)
class Mark:
    """What became of one claimed row."""

    id: int
    status: str
    attempts: int
    at: datetime
    error: str | None = None


def message_to_json(message: Outbound) -> dict[str, Any]:
    return {
        "text": message.text,
        "media_kind": message.media_kind,
        "media": message.media,
        "path": message.path,
        "keyboard": message.keyboard,
        "buttons": [
            [{"label": b.label, "data": b.data, "request": b.request} for b in row]
            for row in message.buttons
        ],
    }


def message_from_json(value: Any) -> Outbound:
    data = _load(value)
    rows = tuple(
        tuple(Button(b["label"], b.get("data", ""), b.get("request")) for b in row)
        for row in data.get("buttons", [])
    )
    return Outbound(
        data.get("text", ""),
        data.get("media_kind"),
        data.get("media"),
        data.get("path"),
        data.get("keyboard"),
        rows,
    )


def insert(dialect: Dialect, records: Sequence[OutboxRecord]) -> tuple[str, list[list[Any]]]:
    query = (
        "INSERT INTO outbox (participant_id, chat_cipher, priority, message, status, attempts,"
        " created_at) VALUES (?, ?, ?, ?, ?, 0, ?)"
    )
    values = [
        [
            r.participant_id,
            r.chat_cipher,
            r.priority,
            _dump(message_to_json(r.message)),
            r.status,
            dialect.when(r.created_at),
        ]
        for r in records
    ]
    return dialect.sql(query), values


class OutboxTable:
    """The sender's statements, run inside one transaction (``db``)."""

    def __init__(self, dialect: Dialect, db: BaseDBAsyncClient) -> None:
        self.dialect, self.db = dialect, db

    async def _rows(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        return await self.db.execute_query_dict(self.dialect.sql(query), values)

    async def claim(self, replies: int, bot_initiated: int) -> list[ClaimedRow]:
        """Claim every queued row of up to ``replies`` participants with a reply waiting, then
        of up to ``bot_initiated`` more; rows come back in id order."""
        chosen: list[int] = []
        query = (
            "SELECT participant_id, MIN(id) AS first FROM outbox WHERE status = ?"
            " AND priority = ? GROUP BY participant_id ORDER BY first LIMIT ?"
        )
        for priority, limit in ((REPLY, replies), (BOT_INITIATED, bot_initiated)):
            if limit <= 0:
                continue
            taken = 0
            for row in await self._rows(query, [QUEUED, priority, limit + len(chosen)]):
                participant = int(row["participant_id"])
                if participant in chosen:
                    continue
                chosen.append(participant)
                taken += 1
                if taken >= limit:
                    break
        if not chosen:
            return []
        where, values = self.dialect._in(chosen, "bigint")
        lock = " FOR UPDATE SKIP LOCKED" if self.dialect.postgres else ""
        query = (
            "SELECT o.id, o.participant_id, p.pseudonym, o.chat_cipher, o.priority, o.message"
            " FROM outbox o JOIN participant p ON p.id = o.participant_id"
            f" WHERE o.status = ? AND o.participant_id {where} ORDER BY o.id{lock}"
        )
        if self.dialect.postgres:
            query = query.replace(" FOR UPDATE SKIP LOCKED", " FOR UPDATE OF o SKIP LOCKED")
        rows = await self._rows(query, [QUEUED, *values])
        ids = [int(row["id"]) for row in rows]
        await self._set_status(ids, SENDING)
        return [
            ClaimedRow(
                id=int(row["id"]),
                participant_id=int(row["participant_id"]),
                pseudonym=row["pseudonym"],
                chat_cipher=row["chat_cipher"],
                priority=int(row["priority"]),
                message=message_from_json(row["message"]),
            )
            for row in rows
        ]

    async def _set_status(self, ids: Sequence[int], status: str) -> None:
        for start in range(0, len(ids), 500):
            where, values = self.dialect._in(ids[start : start + 500], "bigint")
            query = f"UPDATE outbox SET status = ? WHERE id {where}"
            await self.db.execute_query(self.dialect.sql(query), [status, *values])

    async def mark(self, marks: Sequence[Mark]) -> None:
        query = "UPDATE outbox SET status = ?, attempts = ?, sent_at = ?, error = ? WHERE id = ?"
        values = [
            [
                m.status,
                m.attempts,
                self.dialect.when(m.at) if m.status in (SENT, SENT_UNCONFIRMED) else None,
                m.error[:200] if m.error else None,
                m.id,
            ]
            for m in marks
        ]
        if values:
            await self.db.execute_many(self.dialect.sql(query), values)

    async def requeue(self, ids: Sequence[int] | None = None) -> int:
        """Put claimed rows back in the queue: all of them (a sender taking over), or these."""
        if ids is None:
            query = "UPDATE outbox SET status = ? WHERE status = ?"
            count, _ = await self.db.execute_query(self.dialect.sql(query), [QUEUED, SENDING])
            return int(count)
        await self._set_status(list(ids), QUEUED)
        return len(ids)

    async def drop_participant(self, participant_id: int) -> int:
        """A participant blocked the bot: the rest of their queue will not be sent."""
        query = (
            "UPDATE outbox SET status = ?, error = ? WHERE participant_id = ? AND status IN (?, ?)"
        )
        values = [DROPPED, "403: the participant blocked the bot", participant_id, *UNSENT]
        count, _ = await self.db.execute_query(self.dialect.sql(query), values)
        return int(count)

    async def depth(self) -> tuple[int, datetime | None]:
        """How many messages wait to be sent, and when the oldest was written."""
        query = "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE status IN (?, ?)"
        (row,) = await self._rows(query, list(UNSENT))
        return int(row["n"]), _moment(row["oldest"])

    async def file_ids(self) -> dict[str, str]:
        rows = await self._rows("SELECT key, file_id FROM media_file", [])
        return {row["key"]: row["file_id"] for row in rows}

    async def remember_file(self, key: str, file_id: str, at: datetime) -> None:
        query = (
            "INSERT INTO media_file (key, file_id, uploaded_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET file_id = excluded.file_id"
        )
        await self.db.execute_query(self.dialect.sql(query), [key, file_id, self.dialect.when(at)])

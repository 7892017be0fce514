"""The outbox table: replies written in the event's own transaction, claimed by whole
participants in order, marked, requeued and dropped. SQLite, and PostgreSQL when
CLIXCHAT_TEST_POSTGRES is set."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from engine.authoring.live import LiveFlows
from engine.core.events import Inbound
from engine.storage.outbox_sql import DROPPED, QUEUED, SENDING, SENT, Mark, OutboxTable
from engine.storage.sql import Session
from engine.storage.store import Store
from tests.support.db import HELPDESK, PRIVACY, Database

T = TypeVar("T")


@pytest.fixture
async def telegram_store(database: Database) -> AsyncIterator[Store]:
    store = Store(
        LiveFlows([HELPDESK]), PRIVACY, database_url=database.url, outbox_channels=("telegram",)
    )
    yield store
    await store.close()


async def rows(database: Database) -> list[tuple[int, str, int, str]]:
    found = await database.rows(
        "SELECT participant_id, status, priority, message FROM outbox ORDER BY id"
    )
    return [(r["participant_id"], r["status"], r["priority"], str(r["message"])) for r in found]


async def table(store: Store, work: Callable[[OutboxTable], Awaitable[T]]) -> T:
    async def run(session: Session) -> T:
        return await work(OutboxTable(session.dialect, session.db))

    return await store.chore(run)


async def test_replies_are_written_with_the_interaction_and_only_for_telegram(
    telegram_store: Store, database: Database
) -> None:
    woken: list[int] = []
    telegram_store.on_queued = lambda: woken.append(1)
    await telegram_store.handle(
        "telegram", Inbound.message("/start"), user_id=11, chat_id=11, update_id=1
    )
    delivery = await telegram_store.handle(
        "telegram", Inbound.message("Modules"), user_id=11, chat_id=11, update_id=2
    )
    assert delivery.queued == 2 and woken  # "Which module?" and the handbook, sender woken
    await telegram_store.handle("console", Inbound.message("/start"), user_id=12)
    written = await rows(database)
    assert [status for _, status, _, _ in written] == [QUEUED] * 3
    assert "Which module?" in written[1][3] and "Maths handbook" in written[2][3]
    assert await database.count("interaction") == 3  # the console's interaction: no outbox row
    again = await telegram_store.handle(
        "telegram", Inbound.message("Modules"), user_id=11, chat_id=11, update_id=2
    )
    assert again.duplicate and len(await rows(database)) == 3  # a redelivery queues nothing


async def test_a_failed_event_leaves_neither_interaction_nor_reply(
    telegram_store: Store, database: Database
) -> None:
    await telegram_store.handle("telegram", Inbound.message("/start"), user_id=21, chat_id=21)
    trigger = "CREATE TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'no'); END"
    if database.kind == "postgres":
        await database.rows(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no'; END $$"
            " LANGUAGE plpgsql"
        )
        trigger = (
            "CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    await database.rows(trigger)
    with pytest.raises(Exception):  # noqa: B017 - the database's own error class
        await telegram_store.handle("telegram", Inbound.message("Modules"), user_id=21, chat_id=21)
    assert await database.count("interaction") == 1  # only the /start before the trigger


async def test_timeouts_are_bot_initiated_and_claims_take_whole_participants_in_order(
    telegram_store: Store, database: Database
) -> None:
    later = datetime.now(UTC) + timedelta(hours=25)
    for text in ("/start", "Profile"):
        await telegram_store.handle("telegram", Inbound.message(text), user_id=31, chat_id=31)
    await telegram_store.handle(
        "telegram", Inbound.timer("helpdesk:years"), user_id=31, received_at=later
    )
    await telegram_store.handle("telegram", Inbound.message("/start"), user_id=32, chat_id=32)
    written = await rows(database)
    assert [priority for _, _, priority, _ in written] == [0, 0, 1, 0]  # the nudge: a timeout's
    assert "We missed you" in written[2][3]

    first = await table(telegram_store, lambda t: t.claim(replies=0, bot_initiated=1))
    assert [row.pseudonym for row in first] == [PRIVACY.pseudonym("telegram", 31)] * 3
    assert [row.priority for row in first] == [0, 0, 1]  # all of theirs, in the order written
    second = await table(telegram_store, lambda t: t.claim(replies=5, bot_initiated=5))
    assert [row.pseudonym for row in second] == [PRIVACY.pseudonym("telegram", 32)]
    assert {status for _, status, _, _ in await rows(database)} == {SENDING}

    await table(telegram_store, lambda t: t.mark([Mark(first[0].id, SENT, 1, later)]))
    assert await table(telegram_store, lambda t: t.requeue()) == 3  # a sender taking over
    depth, oldest = await table(telegram_store, lambda t: t.depth())
    assert depth == 3 and oldest is not None
    participant = first[0].participant_id
    assert await table(telegram_store, lambda t: t.drop_participant(participant)) == 2
    statuses = [status for _, status, _, _ in await rows(database)]
    assert statuses == [SENT, DROPPED, DROPPED, QUEUED]

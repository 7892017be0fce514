"""Replies the Bot API refused for good are recorded, many at once in one go."""

from __future__ import annotations

import asyncio
import json

from engine.core.events import Inbound
from engine.storage.store import Store
from tests.support.db import Database


async def test_a_backlog_of_failures_is_recorded_for_each_participant(
    store: Store, database: Database
) -> None:
    for user in (1, 2):
        await store.handle("telegram", Inbound.message("/start"), user_id=user, chat_id=user)
    who = [store.privacy.pseudonym("telegram", user) for user in (1, 2)]
    await asyncio.gather(
        *(
            store.record_send_failure(who[i % 2], "sendMessage", 0, "outbox stopped")
            for i in range(300)
        ),
        store.record_send_failure("a-pseudonym-we-never-saw", "sendMessage", 400, "Bad Request"),
    )
    rows = await database.rows(
        "SELECT p.pseudonym AS who, i.saved AS saved FROM interaction i "
        "JOIN participant p ON p.id = i.participant_id WHERE i.kind = 'send_failed'"
    )
    assert len(rows) == 300
    assert {row["who"] for row in rows} == set(who)
    saved = rows[0]["saved"]
    assert (json.loads(saved) if isinstance(saved, str) else saved) == {
        "method": "sendMessage",
        "code": 0,
        "description": "outbox stopped",
    }

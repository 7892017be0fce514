"""Scheduled timeouts: a participant who went quiet at a waiting node is nudged, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.core.events import Inbound
from engine.service.scheduler import fire_due_timeouts
from engine.storage.store import Delivery, Store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def test_a_quiet_participant_is_moved_along_the_timeout_once(store: Store) -> None:
    for text in ("/start", "Profile"):
        await store.handle(
            "telegram", Inbound.message(text), user_id=77, chat_id=77, received_at=T0
        )
    delivered: list[Delivery] = []

    async def deliver(delivery: Delivery) -> None:
        delivered.append(delivery)

    assert await fire_due_timeouts(store, deliver, T0 + timedelta(hours=23)) == 0
    assert await fire_due_timeouts(store, deliver, T0 + timedelta(hours=25)) == 1
    (nudge,) = delivered
    assert nudge.chat_id == 77 and nudge.turn is not None
    assert [m.text for m in nudge.turn.messages] == ["We missed you! Shall we continue?"]
    assert (
        await fire_due_timeouts(store, deliver, T0 + timedelta(hours=50)) == 0
    )  # nudge has no timeout


async def test_an_answer_before_the_timeout_cancels_it(store: Store) -> None:
    for text in ("/start", "Profile", "5"):
        await store.handle(
            "telegram", Inbound.message(text), user_id=78, chat_id=78, received_at=T0
        )

    async def deliver(delivery: Delivery) -> None:
        raise AssertionError("nothing is due")

    assert await fire_due_timeouts(store, deliver, T0 + timedelta(days=3)) == 0

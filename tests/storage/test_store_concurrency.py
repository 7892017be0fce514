"""Concurrency: events of one participant never interleave, group commit changes nothing a
participant could notice, one bad event does not sink the others, two workers lose nothing."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.live import LiveFlows
from engine.core.conversation import Conversation
from engine.core.events import Inbound
from engine.core.runtime import Runtime, Turn
from engine.storage.models import Interaction, Participant
from engine.storage.privacy import Privacy
from engine.storage.store import Delivery, Store
from tests.support.db import Database

FIXTURES = Path(__file__).parents[1] / "fixtures"
PRIVACY = Privacy("concurrency-test-secret")

SCRIPTS = [
    ["Profile", "7"],
    ["Feedback", "Helpful", "Modules", "Maths"],
    ["Modules", "Back", "Profile", "abc", "Restart", "Goodbye", "hello"],
    ["/language", "हिन्दी", "2", "बहुत अच्छा", "/start", "4"],
]


def helpdesk() -> LiveFlows:
    return LiveFlows([FIXTURES / "helpdesk.json"])


@pytest.fixture
async def store(database: Database) -> AsyncIterator[Store]:
    store = Store(helpdesk(), PRIVACY, database_url=database.url)
    yield store
    await store.close()


async def state(user_id: int) -> tuple[Any, ...]:
    who = await Participant.get(pseudonym=PRIVACY.pseudonym("telegram", user_id))
    return (who.node, who.path, who.variables, who.language, who.ended, who.version)


async def history(user_id: int) -> list[tuple[Any, ...]]:
    who = await Participant.get(pseudonym=PRIVACY.pseudonym("telegram", user_id))
    rows = await Interaction.filter(participant_id=who.id).order_by("id")
    return [(i.kind, i.node_before, i.node_after, i.input_text, i.output) for i in rows]


def say(store: Store, user_id: int, text: str) -> asyncio.Future[Delivery]:
    return asyncio.ensure_future(store.handle("telegram", Inbound.message(text), user_id=user_id))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: "-".join(s[:2]))
async def test_concurrent_events_of_one_participant_give_the_same_as_in_order(
    store: Store, script: list[str]
) -> None:
    in_order, together = 100, 200
    for user in (in_order, together):
        await store.handle("telegram", Inbound.message("/start"), user_id=user)
    for text in script:
        await store.handle("telegram", Inbound.message(text), user_id=in_order)
    replies = await asyncio.gather(*(say(store, together, text) for text in script))

    assert await state(together) == await state(in_order)
    assert await history(together) == await history(in_order)
    assert all(r.turn is not None for r in replies)


async def test_group_commit_changes_nothing_a_participant_could_notice(store: Store) -> None:
    """Fifty teachers chatting at once: each ends where the engine alone would put them."""
    scripts = {1000 + n: ["/start", *SCRIPTS[n % len(SCRIPTS)]] for n in range(50)}

    async def chat(user: int, lines: list[str]) -> list[list[str]]:
        replies = []
        for text in lines:
            delivery = await store.handle("telegram", Inbound.message(text), user_id=user)
            assert delivery.turn is not None
            replies.append([m.text for m in delivery.turn.messages])
        return replies

    got = await asyncio.gather(*(chat(user, lines) for user, lines in scripts.items()))
    assert store.stats.largest_batch > 1  # events really were committed together

    runtime = helpdesk().runtime
    for (user, lines), replies in zip(scripts.items(), got, strict=True):
        conv = Conversation()
        expected = [
            [m.text for m in runtime.handle(conv, Inbound.message(t)).messages] for t in lines
        ]
        assert replies == expected
        node, path, variables, *_ = await state(user)
        assert (node, path, variables) == (conv.node, conv.path, conv.variables)
    assert await Interaction.all().count() == sum(len(lines) for lines in scripts.values())


async def test_one_bad_event_does_not_sink_the_others_in_its_batch(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for user in range(300, 330):
        await store.handle("telegram", Inbound.message("/start"), user_id=user)
    real = Runtime.handle

    def fragile(
        self: Runtime, conv: Conversation, event: Inbound, now: float | None = None
    ) -> Turn:
        if event.text == "boom":
            raise RuntimeError("a bug met one input")
        return real(self, conv, event, now)

    monkeypatch.setattr(Runtime, "handle", fragile)
    before = await state(315)
    texts = {user: "boom" if user == 315 else "Profile" for user in range(300, 330)}
    results = await asyncio.gather(
        *(say(store, user, text) for user, text in texts.items()), return_exceptions=True
    )
    failed = [user for user, r in zip(texts, results, strict=True) if isinstance(r, Exception)]
    assert failed == [315]
    assert store.stats.failed_batches >= 1
    assert await state(315) == before
    for user in texts:
        if user != 315:
            assert (await state(user))[0] == "years"


async def test_two_workers_on_one_database_never_lose_an_event(database: Database) -> None:
    """Two stores (as two worker processes would) take events of the same participant; on
    PostgreSQL the row lock serialises them, so each event starts where the last one ended."""
    first = Store(helpdesk(), PRIVACY, database_url=database.url)
    second = Store(helpdesk(), PRIVACY, database_url=database.url)
    try:
        await asyncio.gather(  # both workers connected and warm
            first.handle("telegram", Inbound.message("/start"), user_id=500),
            second.handle("telegram", Inbound.message("/start"), user_id=501),
        )
        # at start "1" opens Modules; at Modules "1" shows Maths and comes back to start
        for round_ in range(8):
            await asyncio.gather(
                *(
                    worker.handle(
                        "telegram", Inbound.message("1"), user_id=500, update_id=round_ * 10 + n
                    )
                    for n, worker in enumerate([first, second, first, second])
                )
            )
    finally:
        await first.close()
        await second.close()
    steps = await history(500)
    assert len(steps) == 33
    for previous, step in itertools.pairwise(steps):
        assert step[1] == previous[2], "an event started from a stale position"
    assert (await state(500))[-1] == 33

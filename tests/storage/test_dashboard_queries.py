"""The dashboard's queries on SQLite and PostgreSQL (CLIXCHAT_TEST_POSTGRES): the funnel from
the summary, a refresh that reads only new interactions and counts nothing twice, the
participant filters, the wide answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.core.events import Inbound
from engine.storage.dashboard import answers, flows, interactions, participants, summary
from engine.storage.dashboard.interactions import InteractionFilter
from engine.storage.dashboard.participants import ParticipantFilter
from engine.storage.store import Store
from tests.support import dashboard
from tests.support.db import PRIVACY, Database


def counts(found: flows.Funnel) -> dict[str, tuple[int, int, int, int]]:
    return {
        node: (c.reached, c.waiting, c.stopped, c.ended)
        for node, c in found.nodes.items()
        if c.reached or c.waiting or c.stopped or c.ended
    }


async def test_funnel_refresh_and_filters(store: Store, database: Database) -> None:
    await dashboard.script(store)
    await store.close()
    read = await summary.refresh()
    assert read == await database.count("interaction")
    expected = {
        "start": (6, 2, 0, 0),
        "years": (2, 1, 0, 0),
        "modules": (1, 0, 1, 0),
        "feedback": (2, 0, 1, 0),
        "bye": (1, 0, 0, 1),
        "route": (1, 0, 0, 0),
        "expert": (1, 0, 0, 0),
        "thanks": (1, 0, 0, 0),
    }
    assert counts(await flows.funnel("helpdesk")) == expected
    days_before = await database.rows("SELECT day, messages FROM daily_activity ORDER BY day")
    # nothing new: nothing read, nothing counted twice
    assert await summary.refresh() == 0
    assert counts(await flows.funnel("helpdesk")) == expected
    assert await database.rows("SELECT day, messages FROM daily_activity ORDER BY day") == (
        days_before
    )
    assert sum(int(r["messages"]) for r in days_before) == 21

    # a new participant after the refresh: only the new interactions are read
    later = Store(store.flows, PRIVACY, database_url=database.url)
    await later.handle(
        "telegram", Inbound.message("/start", "en"), user_id=987650099, chat_id=987650099,
        update_id=99001, received_at=dashboard.NOW - timedelta(minutes=1),
    )  # fmt: skip
    await later.close()
    await summary.refresh()
    assert counts(await flows.funnel("helpdesk"))["start"] == (7, 3, 0, 0)
    total = await database.rows("SELECT SUM(messages) AS n FROM daily_activity")
    assert int(total[0]["n"]) == 22

    cohort = ParticipantFilter(variables=(("years", "3"),))
    (row,) = (await participants.page(cohort)).rows
    assert row["pseudonym"] == PRIVACY.pseudonym("telegram", 987650002)
    reached = ParticipantFilter(flow="helpdesk", node="years", state="reached")
    assert len((await participants.page(reached)).rows) == 2
    stopped = ParticipantFilter(flow="helpdesk", node="modules", state="stopped")
    assert len((await participants.page(stopped)).rows) == 1
    wide = await answers.page("helpdesk", ["years", "feedback"])
    assert [r["values"] for r in wide.rows] == [
        {"years": "", "feedback": "Great course"},
        {"years": "3", "feedback": ""},
    ]


async def test_interactions_search_timeline_and_overview(store: Store, database: Database) -> None:
    from engine.storage.dashboard import interactions, overview
    from engine.storage.dashboard.interactions import InteractionFilter

    await dashboard.script(store)
    await store.close()
    await summary.refresh()
    found = await interactions.page(InteractionFilter(q="GREAT"))
    assert [r["input_text"] for r in found.rows] == ["Great course"]
    assert (await interactions.page(InteractionFilter(q="100%"))).rows == []
    assert (await interactions.page(InteractionFilter(q="test text"))).rows == []
    assert (
        len((await interactions.page(InteractionFilter(q="test text", include_test=True))).rows)
        == 1
    )
    node = await interactions.page(InteractionFilter(flow="helpdesk", node="bye"))
    assert [r["kind"] for r in node.rows] == ["choice"]
    line = await participants.timeline(PRIVACY.pseudonym("telegram", 987650006))
    assert [r["kind"] for r in line.interactions.rows] == ["start", "choice", "answer"]
    numbers = await overview.overview(now=dashboard.NOW + timedelta(minutes=1))
    assert numbers.participants == 6 and numbers.active_week == 5
    assert sum(n for _, n in numbers.days) == 15


async def test_a_search_reads_one_span_per_page_and_the_pages_find_every_match(
    store: Store, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await dashboard.script(store)
    await store.close()
    monkeypatch.setattr(interactions, "SEARCH_SPAN", 4)
    wanted = InteractionFilter(q="teach", include_test=True)
    everything = await database.rows(
        "SELECT id FROM interaction WHERE input_text LIKE '%teach%'"
        " OR CAST(output AS TEXT) LIKE '%teach%' ORDER BY id DESC"
    )
    assert len(everything) > 2
    found: list[int] = []
    after: int | None = None
    pages = 0
    while True:
        page = await interactions.page(wanted, after, size=2)
        pages += 1
        found += [int(r["id"]) for r in page.rows]
        if page.rows:
            assert max(int(r["id"]) for r in page.rows) - min(int(r["id"]) for r in page.rows) < 4
        if page.next_after is None:
            break
        after = page.next_after
    assert found == [int(r["id"]) for r in everything]  # every match, newest first, once
    assert pages >= await database.count("interaction") // 4  # one span of 4 per page at most

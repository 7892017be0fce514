"""The funnel and activity summaries, kept from the interactions newer than their mark.

Chosen way (issue 9, speed): a flow page never scans the interactions. `node_reach` holds one
row per participant per node of a flow revision (their first arrival there), and
`daily_activity` the interactions per UTC day. `refresh()` reads only the interactions past
the mark (less an overlap of OVERLAP ids, since on PostgreSQL a lower id can commit after a
higher one): reach rows are inserted idempotently, and each day touched is counted again from
the `received_at` index. The scheduler's `summaries` job runs it every minute, and a dashboard
page catches up at most `CATCH_UP` interactions before it reads, so a quiet deployment's pages
are exact and a busy one's are at most a minute behind. Waiting now and stopped there are
counted from the participant rows (their current position), which are always current.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.core.flow import Flow, flow_from_document
from engine.storage.dashboard.base import Reader, moment
from engine.storage.dashboard.passage import passed
from engine.storage.export import TEST_CHANNELS

MARK = "reach"
BATCH = 5000
OVERLAP = 1000
CATCH_UP = 20_000
PASSING_KINDS = ("choice", "answer", "timeout")


async def refresh(limit: int | None = None) -> int:
    """Bring the summaries up to the newest interaction (or `limit` interactions further);
    returns how many interactions were read."""
    reader = Reader()
    await reader.rows(
        "INSERT INTO summary_mark (name, last_id) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
        [MARK],
    )
    mark = int(await reader.one("SELECT last_id FROM summary_mark WHERE name = ?", [MARK]) or 0)
    top = int(await reader.one("SELECT MAX(id) FROM interaction") or 0)
    if top <= mark:
        return 0
    if limit is not None:
        top = min(top, mark + limit)
    after = max(0, mark - OVERLAP)
    read = 0
    days: set[str] = set()
    flows = _Flows(reader)
    while after < top:
        rows = await reader.rows(
            "SELECT i.id, i.participant_id, i.flow, i.revision, i.node_before, i.node_after,"
            " i.kind, i.saved, i.received_at, p.channel, p.variables"
            " FROM interaction i JOIN participant p ON p.id = i.participant_id"
            f" WHERE i.id > {int(after)} AND i.id <= {int(top)} ORDER BY i.id LIMIT {BATCH}"
        )
        if not rows:
            break
        await _reach(reader, rows, days, flows)
        read += len(rows)
        after = int(rows[-1]["id"])
    await _recount_days(reader, days)
    await reader.rows(
        "UPDATE summary_mark SET last_id = ? WHERE name = ? AND last_id < ?", [top, MARK, top]
    )
    return read


class _Flows:
    """Recorded revisions' definitions, compiled once per refresh (None: not recorded)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.found: dict[tuple[str, str], Flow | None] = {}

    async def get(self, flow: str, revision: str) -> Flow | None:
        key = (flow, revision)
        if key not in self.found:
            rows = await self.reader.rows(
                "SELECT source FROM flow_revision WHERE flow = ? AND sha256 = ?", [flow, revision]
            )
            compiled = None
            if rows:
                try:
                    compiled = flow_from_document(_json(rows[0]["source"]))
                except Exception:  # an old revision this engine no longer reads: no inference
                    compiled = None
            self.found[key] = compiled
        return self.found[key]


def _variables(stored: Any) -> dict[str, Any]:
    found = _json(stored)
    return found if isinstance(found, dict) else {}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


async def _reach(reader: Reader, rows: list[dict[str, Any]], days: set[str], flows: _Flows) -> None:
    seen: dict[tuple[int, str, str, str], list[Any]] = {}
    for row in rows:
        at = moment(row["received_at"])
        if at is not None:
            days.add(at.strftime("%Y-%m-%d"))
        place = row["node_after"]
        if not place or ":" not in place or at is None:
            continue
        flow, _, node = str(place).partition(":")
        revision = (row["revision"] if row["flow"] == flow else "") or ""
        nodes = [node]
        before = str(row["node_before"] or "")
        if before.startswith(flow + ":") and row["kind"] in PASSING_KINDS and revision:
            definition = await flows.get(flow, revision)
            if definition is not None:
                saved = _json(row["saved"]) or {}
                stored = row["variables"]
                nodes += passed(
                    definition, before.partition(":")[2], node, str(row["kind"]), saved,
                    functools.partial(_variables, stored),
                )  # fmt: skip
        for reached in nodes:
            key = (int(row["participant_id"]), flow, revision, reached)
            if key not in seen:
                test = row["channel"] in TEST_CHANNELS
                seen[key] = [*key, reader.when(at), test]
    await reader.many(
        "INSERT INTO node_reach (participant_id, flow, revision, node, first_at, test)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (participant_id, flow, revision, node)"
        " DO NOTHING",
        list(seen.values()),
    )


async def _recount_days(reader: Reader, days: set[str]) -> None:
    marks = ", ".join("?" for _ in TEST_CHANNELS)
    for day in sorted(days):
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        span = [reader.when(start), reader.when(start + timedelta(days=1))]
        total = await reader.one(
            "SELECT COUNT(*) FROM interaction WHERE received_at >= ? AND received_at < ?", span
        )
        test = await reader.one(
            "SELECT COUNT(*) FROM interaction i JOIN participant p ON p.id = i.participant_id"
            f" WHERE i.received_at >= ? AND i.received_at < ? AND p.channel IN ({marks})",
            [*span, *TEST_CHANNELS],
        )
        await reader.rows(
            "INSERT INTO daily_activity (day, messages, test_messages) VALUES (?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET messages = excluded.messages,"
            " test_messages = excluded.test_messages",
            [day, int(total or 0), int(test or 0)],
        )


async def catch_up() -> None:
    """What a page does before it reads: a bounded step (the scheduler does the rest)."""
    await refresh(CATCH_UP)

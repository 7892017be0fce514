"""Flows, their recorded revisions, and the funnel: per node, reached / waiting now / stopped.

Reached: participants whose first arrival at the node (in the chosen revision, or any) falls in
the date range, from the `node_reach` summary (see summary.py). Waiting now: at the node, not
ended, not blocking the bot, and seen within STALE. Stopped there: at the node, not ended, and
blocking the bot or not seen for STALE. Ended: finished the flow there. Waiting and stopped
come from the participant rows; a date range keeps those last seen in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.storage.dashboard.base import Reader, moment, not_test

STALE = timedelta(days=7)


@dataclass
class FlowRow:
    flow: str
    revisions: int
    latest: str
    latest_seen: datetime | None
    participants: int


@dataclass
class Revision:
    id: int
    sha256: str
    first_seen: datetime | None


@dataclass
class NodeCounts:
    reached: int = 0
    waiting: int = 0
    stopped: int = 0
    ended: int = 0


@dataclass
class Funnel:
    nodes: dict[str, NodeCounts] = field(default_factory=dict)

    def at(self, node: str) -> NodeCounts:
        return self.nodes.setdefault(node, NodeCounts())


async def flow_rows(include_test: bool = False) -> list[FlowRow]:
    reader = Reader()
    revisions = await reader.rows(
        "SELECT flow, COUNT(*) AS n, MAX(id) AS latest_id, MAX(first_seen) AS seen"
        " FROM flow_revision GROUP BY flow ORDER BY flow"
    )
    latest_ids = [int(r["latest_id"]) for r in revisions]
    shas: dict[int, str] = {}
    if latest_ids:
        marks = ", ".join("?" for _ in latest_ids)
        for r in await reader.rows(
            f"SELECT id, sha256 FROM flow_revision WHERE id IN ({marks})", list(latest_ids)
        ):
            shas[int(r["id"])] = r["sha256"]
    where, values = not_test("p", include_test)
    people = {
        r["flow"]: int(r["n"])
        for r in await reader.rows(
            f"SELECT p.flow, COUNT(*) AS n FROM participant p WHERE {where} GROUP BY p.flow",
            values,
        )
    }
    return [
        FlowRow(
            flow=r["flow"],
            revisions=int(r["n"]),
            latest=shas.get(int(r["latest_id"]), ""),
            latest_seen=moment(r["seen"]),
            participants=people.get(r["flow"], 0),
        )
        for r in revisions
    ]


async def revisions(flow: str) -> list[Revision]:
    """The flow's recorded revisions, newest first."""
    rows = await Reader().rows(
        "SELECT id, sha256, first_seen FROM flow_revision WHERE flow = ? ORDER BY id DESC", [flow]
    )
    return [Revision(int(r["id"]), r["sha256"], moment(r["first_seen"])) for r in rows]


async def revision_source(flow: str, sha256: str) -> dict[str, Any] | None:
    import json

    rows = await Reader().rows(
        "SELECT source FROM flow_revision WHERE flow = ? AND sha256 = ?", [flow, sha256]
    )
    if not rows:
        return None
    source = rows[0]["source"]
    loaded = json.loads(source) if isinstance(source, str | bytes) else source
    return loaded if isinstance(loaded, dict) else None


async def funnel(
    flow: str,
    revision: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_test: bool = False,
    now: datetime | None = None,
) -> Funnel:
    reader = Reader()
    result = Funnel()
    where = ["r.flow = ?"]
    values: list[Any] = [flow]
    if not include_test:
        where.append("r.test = ?")
        values.append(False)
    _narrow(reader, where, values, ("r.revision", revision), ("r.first_at", since, until))
    # over all revisions a participant is counted once; with one recorded revision (the usual
    # case) every row is a different participant, and COUNT(*) needs no de-duplication
    single = (
        revision
        or int(await reader.one("SELECT COUNT(*) FROM flow_revision WHERE flow = ?", [flow]) or 0)
        <= 1
    )
    counted = "COUNT(*)" if single else "COUNT(DISTINCT r.participant_id)"
    for row in await reader.rows(
        f"SELECT r.node, {counted} AS n FROM node_reach r WHERE {' AND '.join(where)}"
        " GROUP BY r.node",
        values,
    ):
        result.at(row["node"]).reached = int(row["n"])
    cutoff = reader.when((now or datetime.now(UTC)) - STALE)
    test, test_values = not_test("p", include_test)
    where, values = ["p.flow = ?", "p.node IS NOT NULL", test], [flow, *test_values]
    _narrow(reader, where, values, ("p.revision", revision), ("p.last_seen", since, until))
    for row in await reader.rows(
        "SELECT p.node,"
        f" SUM(CASE WHEN {WAITING} THEN 1 ELSE 0 END) AS waiting,"
        f" SUM(CASE WHEN {STOPPED} THEN 1 ELSE 0 END) AS stopped,"
        " SUM(CASE WHEN p.ended = ? THEN 1 ELSE 0 END) AS ended"
        f" FROM participant p WHERE {' AND '.join(where)} GROUP BY p.node",
        [False, True, cutoff, False, False, cutoff, True, *values],
    ):
        counts = result.at(row["node"])
        counts.waiting = int(row["waiting"] or 0)
        counts.stopped = int(row["stopped"] or 0)
        counts.ended = int(row["ended"] or 0)
    return result


WAITING = "p.ended = ? AND p.active = ? AND p.last_seen >= ?"
"""Three values: False, True, the cutoff."""
STOPPED = "p.ended = ? AND (p.active = ? OR p.last_seen IS NULL OR p.last_seen < ?)"
"""Three values: False, False, the cutoff."""


def _narrow(
    reader: Reader,
    where: list[str],
    values: list[Any],
    revision: tuple[str, str | None],
    span: tuple[str, datetime | None, datetime | None],
) -> None:
    """Add a chosen revision and a date range (on the given columns) to a WHERE list."""
    column, chosen = revision
    if chosen:
        where.append(f"{column} = ?")
        values.append(chosen)
    when_column, since, until = span
    if since:
        where.append(f"{when_column} >= ?")
        values.append(reader.when(since))
    if until:
        where.append(f"{when_column} < ?")
        values.append(reader.when(until))

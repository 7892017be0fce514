"""Participants: the filtered, keyset-paginated list, and one participant's timeline.

Filters (DESIGN.md): flow, node, language, active, seen_since, seen_until, var.NAME=VALUE; and
from a funnel number, `state` (reached, waiting, stopped, ended) with `revision` and, for
reached, the range of the first arrival (reached_since, reached_until).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.storage.dashboard import base
from engine.storage.dashboard.base import Reader, Rows, not_test
from engine.storage.dashboard.flows import STALE, STOPPED, WAITING

STATES = ("reached", "waiting", "stopped", "ended")
COLUMNS = (
    "p.id, p.pseudonym, p.channel, p.language, p.flow, p.revision, p.node, p.ended, p.active,"
    " p.created_at, p.last_seen"
)


@dataclass(frozen=True)
class ParticipantFilter:
    flow: str | None = None
    node: str | None = None
    language: str | None = None
    active: bool | None = None
    seen_since: datetime | None = None
    seen_until: datetime | None = None
    variables: tuple[tuple[str, str], ...] = ()
    state: str | None = None
    revision: str | None = None
    reached_since: datetime | None = None
    reached_until: datetime | None = None
    include_test: bool = False
    now: datetime | None = field(default=None, compare=False)


def _where(reader: Reader, f: ParticipantFilter) -> tuple[str, list[Any]]:
    test, values = not_test("p", f.include_test)
    parts = [test]

    def add(clause: str, *given: Any) -> None:
        parts.append(clause)
        values.extend(given)

    if f.state == "reached":
        inner = ["r.participant_id = p.id"]
        inner_values: list[Any] = []
        for column, value in (("flow", f.flow), ("node", f.node), ("revision", f.revision)):
            if value:
                inner.append(f"r.{column} = ?")
                inner_values.append(value)
        if f.reached_since:
            inner.append("r.first_at >= ?")
            inner_values.append(reader.when(f.reached_since))
        if f.reached_until:
            inner.append("r.first_at < ?")
            inner_values.append(reader.when(f.reached_until))
        add(f"EXISTS (SELECT 1 FROM node_reach r WHERE {' AND '.join(inner)})", *inner_values)
    else:
        if f.flow:
            add("p.flow = ?", f.flow)
        if f.node:
            add("p.node = ?", f.node)
        if f.revision:
            add("p.revision = ?", f.revision)
    cutoff = reader.when((f.now or datetime.now(UTC)) - STALE)
    if f.state == "waiting":
        add(WAITING, False, True, cutoff)
    elif f.state == "stopped":
        add(STOPPED, False, False, cutoff)
    elif f.state == "ended":
        add("p.ended = ?", True)
    if f.language:
        add("p.language = ?", f.language)
    if f.active is not None:
        add("p.active = ?", f.active)
    if f.seen_since:
        add("p.last_seen >= ?", reader.when(f.seen_since))
    if f.seen_until:
        add("p.last_seen < ?", reader.when(f.seen_until))
    for name, value in f.variables:
        add(f"{reader.json_text('p.variables', name)} = ?", value)
    return " AND ".join(parts), values


async def page(f: ParticipantFilter, after: int | None = None, size: int | None = None) -> Rows:
    """Newest first; `after` is the keyset position (an id) the previous page ended at."""
    size = size or base.PAGE_SIZE
    reader = Reader()
    where, values = _where(reader, f)
    if after is not None:
        where += f" AND p.id < {int(after)}"
    rows = await reader.rows(
        f"SELECT {COLUMNS} FROM participant p WHERE {where} ORDER BY p.id DESC LIMIT {size + 1}",
        values,
    )
    more = len(rows) > size
    rows = rows[:size]
    return Rows(rows, int(rows[-1]["id"]) if more and rows else None)


@dataclass
class Timeline:
    participant: dict[str, Any] | None
    interactions: Rows


async def timeline(pseudonym: str, after: int | None = None, size: int = 200) -> Timeline:
    """One participant (by pseudonym) and their interactions, oldest first."""
    reader = Reader()
    found = await reader.rows(
        f"SELECT {COLUMNS}, p.variables FROM participant p WHERE p.pseudonym = ?", [pseudonym]
    )
    if not found:
        return Timeline(None, Rows())
    who = found[0]
    start = f" AND i.id > {int(after)}" if after is not None else ""
    rows = await reader.rows(
        "SELECT i.id, i.flow, i.revision, i.node_before, i.node_after, i.kind, i.input_kind,"
        " i.input_text, i.input_media, i.output, i.saved, i.received_at FROM interaction i"
        f" WHERE i.participant_id = {int(who['id'])}{start} ORDER BY i.id LIMIT {size + 1}"
    )
    more = len(rows) > size
    rows = rows[:size]
    return Timeline(who, Rows(rows, int(rows[-1]["id"]) if more and rows else None))

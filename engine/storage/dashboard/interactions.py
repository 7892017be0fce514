"""Interactions: filters flow, node, kind, since, until, and q (a search in what came in and
what went out); newest first, keyset-paginated on id.

A search reads at most ``SEARCH_SPAN`` interactions per page, newest first: a word nobody wrote
would otherwise read the whole table (3.2 s at 1,000,000 rows). When a span holds fewer matches
than a page, the page says how far back it looked and its "older" link searches on from there;
the CSV download walks every span."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.storage.dashboard.base import PAGE_SIZE, Reader, Rows, not_test

SEARCH_SPAN = 50_000
"""Interactions (by id) one search page reads at most."""


@dataclass(frozen=True)
class InteractionFilter:
    flow: str | None = None
    node: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None
    include_test: bool = False


def _where(reader: Reader, f: InteractionFilter) -> tuple[str, list[Any]]:
    test, values = not_test("p", f.include_test)
    parts = [test]
    if f.flow:
        parts.append("i.flow = ?")
        values.append(f.flow)
    if f.node:
        place = f.node if ":" in f.node or not f.flow else f"{f.flow}:{f.node}"
        parts.append("(i.node_after = ? OR i.node_before = ?)")
        values += [place, place]
    if f.kind:
        parts.append("i.kind = ?")
        values.append(f.kind)
    if f.since:
        parts.append("i.received_at >= ?")
        values.append(reader.when(f.since))
    if f.until:
        parts.append("i.received_at < ?")
        values.append(reader.when(f.until))
    if f.q:
        like = "ILIKE" if reader.postgres else "LIKE"
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        output = "CAST(i.output AS TEXT)"
        parts.append(f"(i.input_text {like} ? ESCAPE '\\' OR {output} {like} ? ESCAPE '\\')")
        values += [pattern, pattern]
    return " AND ".join(parts), values


async def page(f: InteractionFilter, after: int | None = None, size: int = PAGE_SIZE) -> Rows:
    reader = Reader()
    where, values = _where(reader, f)
    lower = 0
    if f.q:
        top = after
        if top is None:
            found = await reader.rows("SELECT MAX(id) AS top FROM interaction", [])
            top = int(found[0]["top"] or 0) + 1
        lower = max(0, top - SEARCH_SPAN)
        where += f" AND i.id >= {lower}"
    if after is not None:
        where += f" AND i.id < {int(after)}"
    rows = await reader.rows(
        "SELECT i.id, p.pseudonym, i.flow, i.revision, i.node_before, i.node_after, i.kind,"
        " i.input_kind, i.input_text, i.input_media, i.output, i.received_at, i.responded_at"
        " FROM interaction i JOIN participant p ON p.id = i.participant_id"
        f" WHERE {where} ORDER BY i.id DESC LIMIT {size + 1}",
        values,
    )
    more = len(rows) > size
    rows = rows[:size]
    if more and rows:
        return Rows(rows, int(rows[-1]["id"]))
    if lower > 0:  # this span is searched; older ones are left for the next page
        return Rows(rows, lower, searched_to=lower)
    return Rows(rows, None)

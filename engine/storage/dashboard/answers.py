"""Answers per flow, wide: one row per participant, one column per variable the flow saves
(its asks' `save_as`, in the flow's order), each the participant's current value."""

from __future__ import annotations

import json
from typing import Any

from engine.storage.dashboard.base import NAME, PAGE_SIZE, Reader, Rows, not_test
from engine.storage.export import cell


async def page(
    flow: str,
    variables: list[str],
    after: int | None = None,
    size: int = PAGE_SIZE,
    include_test: bool = False,
) -> Rows:
    """Participants holding at least one of `variables`, newest first; each row has
    `pseudonym`, `language` and `values` (variable -> text)."""
    reader = Reader()
    names = [v for v in variables if NAME.match(v)]
    if not names:
        return Rows()
    test, values = not_test("p", include_test)
    held = " OR ".join(f"{reader.json_text('p.variables', v)} IS NOT NULL" for v in names)
    where = f"{test} AND ({held})"
    if after is not None:
        where += f" AND p.id < {int(after)}"
    rows = await reader.rows(
        "SELECT p.id, p.pseudonym, p.language, p.flow, p.variables FROM participant p"
        f" WHERE {where} ORDER BY p.id DESC LIMIT {size + 1}",
        values,
    )
    more = len(rows) > size
    rows = rows[:size]
    for row in rows:
        stored = row["variables"]
        found: dict[str, Any] = (
            json.loads(stored) if isinstance(stored, str | bytes) else dict(stored or {})
        )
        row["values"] = {v: cell(found.get(v)) for v in names}
    return Rows(rows, int(rows[-1]["id"]) if more and rows else None)

"""The overview: participants, active today and in 7 days, messages per day, flows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from engine.storage.dashboard.base import Reader, not_test

CHART_DAYS = 30


@dataclass
class Overview:
    participants: int = 0
    active_today: int = 0
    active_week: int = 0
    days: list[tuple[str, int]] = field(default_factory=list)
    """(YYYY-MM-DD, messages), the last CHART_DAYS days, oldest first, every day present."""


async def overview(include_test: bool = False, now: datetime | None = None) -> Overview:
    reader = Reader()
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    where, values = not_test("p", include_test)
    counts = await reader.rows(
        "SELECT COUNT(*) AS total,"
        " SUM(CASE WHEN p.last_seen >= ? THEN 1 ELSE 0 END) AS today,"
        " SUM(CASE WHEN p.last_seen >= ? THEN 1 ELSE 0 END) AS week"
        f" FROM participant p WHERE {where}",
        [reader.when(today), reader.when(now - timedelta(days=7)), *values],
    )
    row = counts[0]
    first = today - timedelta(days=CHART_DAYS - 1)
    found = await reader.rows(
        "SELECT day, messages, test_messages FROM daily_activity WHERE day >= ?",
        [first.strftime("%Y-%m-%d")],
    )
    per_day = {
        r["day"]: int(r["messages"]) - (0 if include_test else int(r["test_messages"]))
        for r in found
    }
    days = []
    for offset in range(CHART_DAYS):
        day = (first + timedelta(days=offset)).strftime("%Y-%m-%d")
        days.append((day, per_day.get(day, 0)))
    return Overview(
        participants=int(row["total"] or 0),
        active_today=int(row["today"] or 0),
        active_week=int(row["week"] or 0),
        days=days,
    )

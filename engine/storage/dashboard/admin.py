"""The admin-only lists: job runs (newest first) and dashboard accounts."""

from __future__ import annotations

from engine.storage.dashboard.base import PAGE_SIZE, Reader, Rows


async def job_runs(after: int | None = None, size: int = PAGE_SIZE * 2) -> Rows:
    reader = Reader()
    where = f"WHERE id < {int(after)}" if after is not None else ""
    rows = await reader.rows(
        "SELECT id, job, started_at, finished_at, outcome, detail, host FROM job_run"
        f" {where} ORDER BY id DESC LIMIT {size + 1}"
    )
    more = len(rows) > size
    rows = rows[:size]
    return Rows(rows, int(rows[-1]["id"]) if more and rows else None)


async def account_rows() -> Rows:
    rows = await Reader().rows(
        "SELECT id, username, role, created_at, last_login FROM account ORDER BY username"
    )
    return Rows(rows, None)

"""Admin-only pages: scheduled job runs (with the certificate's days and the last backup) and
the dashboard accounts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine.storage.dashboard import admin
from engine.storage.dashboard.base import Rows
from engine.storage.export import iso
from engine.storage.job_runs import JobRuns
from web.dashboard.common import after, guarded, next_link, page, services, stream_csv


@guarded
async def jobs(request: Request) -> Response:
    position = after(request)
    runs = await services(request).store.read(lambda: admin.job_runs(position))
    last = await JobRuns(services(request).settings.database_url).last_runs()
    return page(
        request,
        "jobs.html",
        rows=runs.rows,
        last=sorted(last.values(), key=lambda run: run.job),
        next=next_link(request, runs.next_after),
    )


@guarded
async def jobs_csv(request: Request) -> Response:
    async def fetch(position: int | None) -> Rows:
        return await admin.job_runs(position, 1000)

    return stream_csv(
        request,
        "jobs.csv",
        ["job", "started_at", "finished_at", "outcome", "detail", "host"],
        fetch,
        lambda r: [
            r["job"],
            iso(r["started_at"]),
            iso(r["finished_at"]),
            r["outcome"],
            r["detail"],
            r["host"],
        ],
    )


@guarded
async def accounts(request: Request) -> Response:
    rows = await services(request).store.read(admin.account_rows)
    return page(request, "accounts.html", rows=rows.rows)


@guarded
async def accounts_csv(request: Request) -> Response:
    async def fetch(_position: int | None) -> Rows:
        return await admin.account_rows()

    return stream_csv(
        request,
        "accounts.csv",
        ["username", "role", "created_at", "last_login"],
        fetch,
        lambda r: [r["username"], r["role"], iso(r["created_at"]), iso(r["last_login"])],
    )

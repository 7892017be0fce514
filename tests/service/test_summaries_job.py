"""The scheduler's `summaries` job keeps the dashboard's funnel current: a participant who
arrives after a run is counted by the next one, and each run is recorded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from engine.core.events import Inbound
from engine.service.scheduler import Scheduler, standard_jobs
from engine.service.settings import Settings
from engine.storage.job_runs import JobRuns
from engine.storage.store import Delivery, Store
from tests.support.db import Database


async def nothing(delivery: Delivery) -> None:
    raise AssertionError("no timeout is due")


async def reached(database: Database, node: str) -> int:
    rows = await database.rows(
        "SELECT COUNT(*) AS n FROM node_reach WHERE flow = 'helpdesk' AND node = ?"
        if database.kind == "sqlite"
        else "SELECT COUNT(*) AS n FROM node_reach WHERE flow = 'helpdesk' AND node = $1",
        [node],
    )
    return int(rows[0]["n"])


async def test_the_summaries_job_counts_new_arrivals(database: Database, store: Store) -> None:
    settings = Settings(database_url=database.url, job_every="summaries=0.3")
    jobs = [job for job in standard_jobs(settings, store, nothing) if job.name == "summaries"]
    assert jobs, "the deployment's jobs include summaries"
    scheduler = Scheduler(settings.database_url, jobs, retry_every=0.2)
    log = JobRuns(settings.database_url)
    await scheduler.start()
    try:
        for user, choice in ((1001, "Profile"), (1002, "Goodbye")):
            for text in ("/start", choice):
                await store.handle(
                    "telegram", Inbound.message(text, "en"), user_id=user, chat_id=user,
                    received_at=datetime.now(UTC),
                )  # fmt: skip
        async with asyncio.timeout(30):
            while await reached(database, "bye") < 1 or await reached(database, "years") < 1:
                await asyncio.sleep(0.1)
            # the run that counted them is recorded once it has finished
            while not any(r.outcome == "ok" for r in await log.runs("summaries")):
                await asyncio.sleep(0.1)
    finally:
        await scheduler.stop()
    assert await reached(database, "start") == 2
    runs = await log.runs("summaries")
    assert any(r.outcome == "ok" and "interaction(s) into" in r.detail for r in runs)

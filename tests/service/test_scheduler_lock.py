"""One active scheduler per database: the lock holder runs the jobs, a standby takes over when
it stops, and every run is a job_run row (SQLite: file lock; PostgreSQL: advisory lock)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.triggers.interval import IntervalTrigger

from engine.service.scheduler import Job, Scheduler, intervals
from engine.storage.job_runs import JobRuns
from tests.support.db import Database

TICK = 0.4


async def eventually(check: Callable[[], Awaitable[bool]], limit: float = 20.0) -> None:
    """Wait (bounded) until `check` holds."""
    async with asyncio.timeout(limit):
        while not await check():
            await asyncio.sleep(0.1)


def scheduler(database: Database, name: str, work: Job) -> Scheduler:
    made = Scheduler(database.url, [work], retry_every=0.2)
    made.host = name
    return made


async def test_one_of_two_schedulers_runs_the_job_and_the_other_takes_over(
    database: Database,
) -> None:
    ticks: list[str] = []

    async def work() -> tuple[str, str]:
        ticks.append("tick")
        return "ok", f"tick {len(ticks)}"

    job = Job("tick", work, IntervalTrigger(seconds=TICK))
    first, second = scheduler(database, "first", job), scheduler(database, "second", job)
    runs = JobRuns(database.url)
    await first.start()
    await eventually(lambda: _active(first))
    await second.start()
    try:
        await eventually(lambda: _count(runs, "tick", 5))
        assert first.active and not second.active
        assert {run.host for run in await runs.runs("tick")} == {"first"}
        await first.stop()  # as when its process ends: the lock is free
        await eventually(lambda: _active(second), limit=10)
        await eventually(lambda: _count(runs, "tick", 3, host="second"))
        recorded = await runs.runs("tick")
        hosts = [run.host for run in recorded]
        firsts = hosts.count("first")
        assert firsts >= 5 and hosts == ["first"] * firsts + ["second"] * (len(hosts) - firsts)
        # the newest run may still be under way when the rows are read (a tick every 0.4 s)
        assert all(r.outcome == "ok" and r.finished_at is not None for r in recorded[:-1])
        assert recorded[-1].outcome in ("ok", "running")
        starts = [r.started_at for r in recorded[firsts:]]
        assert all((b - a).total_seconds() > TICK / 2 for a, b in itertools.pairwise(starts))
    finally:
        await first.stop()
        await second.stop()


async def test_failures_are_recorded_and_runs_left_running_are_closed(database: Database) -> None:
    runs = JobRuns(database.url)
    orphan = await runs.start("backup", "dead-host:1")  # its scheduler was killed mid-run

    async def broken() -> tuple[str, str]:
        raise OSError("disk\nfull")

    job = Job("broken", broken, IntervalTrigger(hours=1), after_start=0.1)
    active = scheduler(database, "only", job)
    await active.start()
    try:
        await eventually(lambda: _count(runs, "broken", 1, finished=True))
    finally:
        await active.stop()
    (run,) = await runs.runs("broken")
    assert run.outcome == "failed" and run.detail == "OSError: disk full"
    (left,) = await runs.runs("backup")
    assert left.outcome == "failed" and "stopped before it finished" in left.detail
    assert (await runs.last_runs())["broken"].host == "only"
    assert orphan > 0


async def test_old_runs_of_frequent_jobs_are_pruned(database: Database) -> None:
    runs = JobRuns(database.url)
    old = datetime(2020, 1, 1, tzinfo=UTC)
    for job in ("timeouts", "certificates"):
        await runs.finish(await runs.start(job, "h:1", old), "ok", "", old)
    await runs.prune(["timeouts"])
    assert await runs.runs("timeouts") == [] and len(await runs.runs("certificates")) == 1


def test_test_intervals_are_read() -> None:
    assert intervals("certificates=2, timeouts=0.5") == {"certificates": 2.0, "timeouts": 0.5}
    assert intervals("") == {}


async def _active(made: Scheduler) -> bool:
    return made.active


async def _count(
    runs: JobRuns, job: str, at_least: int, finished: bool = False, host: str | None = None
) -> bool:
    found = [run for run in await runs.runs(job) if host is None or run.host == host]
    if finished:
        found = [run for run in found if run.finished_at is not None]
    return len(found) >= at_least


def test_database_urls_for_the_lock_connection() -> None:
    from engine.storage.job_runs import asyncpg_dsn, sqlite_path
    from engine.storage.leader import lock_path

    assert (
        asyncpg_dsn("postgres://u:p@db:5433/app?minsize=1&maxsize=10&sslmode=require")
        == "postgresql://u:p@db:5433/app?sslmode=require"
    )
    assert sqlite_path("sqlite:///srv/clixchat/clixchat.db?journal_mode=WAL") == (
        "/srv/clixchat/clixchat.db"
    )
    assert lock_path("sqlite://clixchat.db") == "clixchat.db.scheduler.lock"
    assert lock_path("sqlite://:memory:") is None

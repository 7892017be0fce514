"""Scheduled work without cron (APScheduler), one scheduler for the whole deployment.

Every `serve` worker (and `clixchat scheduler`, on any host) starts a Scheduler; exactly one of
them is active: the one holding the scheduler lock (engine.storage.leader: a PostgreSQL advisory
lock, or a file lock beside a SQLite database). The others stand by and try the lock every
`scheduler_retry` seconds, so when the active one dies another takes over within that time.

Jobs: `timeouts` (every 30 s: participants whose waiting node timed out are moved along, their
replies handed to the channel-neutral deliver hook), `certificates` (daily, and once shortly
after a scheduler becomes active, when CERT_PATH or CERT_HOST is set) and `backup` (BACKUP_CRON).
Every run is a job_run row: job, start, end, outcome (ok, warning, failed), a one-line detail,
and the host:pid that ran it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine.core.events import Inbound
from engine.core.vocabulary import InteractionKind
from engine.service.settings import ConfigError, Settings
from engine.storage.job_runs import JobRuns
from engine.storage.leader import Lock, scheduler_lock
from engine.storage.store import Delivery, Store

log = logging.getLogger("clixchat.jobs")

Deliver = Callable[[Delivery], Awaitable[None]]
JobWork = Callable[[], Awaitable[tuple[str, str]]]
"""A job's work: returns (outcome, detail), outcome one of ok, warning, failed."""

TIMEOUTS_EVERY = 30.0
CERTIFICATES_CRON = "17 4 * * *"
CERTIFICATES_AFTER_START = 20.0
"""Seconds after a scheduler becomes active before its first certificate check."""
STOP_GRACE = 10.0
PRUNE_EVERY = timedelta(hours=1)


async def fire_due_timeouts(store: Store, deliver: Deliver, now: datetime | None = None) -> int:
    """Send each participant whose waiting node timed out along the node's `timeout.next`."""
    moment = now or datetime.now(UTC)
    fired = 0
    for pseudonym, place in await store.due_timeouts(moment):
        try:
            delivery = await store.handle(
                "telegram", Inbound.timer(place), pseudonym=pseudonym, received_at=moment
            )
        except Exception as error:  # the class only: a database error can quote stored text
            log.error(
                "timeout for a participant at %s failed (%s); it will be tried again",
                place,
                type(error).__name__,
            )
            continue
        if delivery.turn is not None and delivery.turn.kind == InteractionKind.TIMEOUT:
            fired += 1
            await deliver(delivery)
    if fired:
        log.info("fired %d timeout(s)", fired)
    return fired


@dataclass(frozen=True)
class Job:
    name: str
    work: JobWork
    trigger: Any
    """an APScheduler trigger"""
    after_start: float | None = None
    """also run once this many seconds after the scheduler becomes active"""
    frequent: bool = False
    """runs often: its job_run rows older than 30 days are pruned"""


SUMMARIES_EVERY = 60
"""Seconds between refreshes of the dashboard's funnel and activity summaries."""


def host_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:500]


def intervals(spec: str) -> dict[str, float]:
    """`certificates=2,timeouts=1` (the tests' CLIXCHAT_JOB_EVERY) as {job: seconds}."""
    found: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, seconds = item.partition("=")
        try:
            found[name.strip()] = float(seconds)
        except ValueError:
            raise ValueError(f"CLIXCHAT_JOB_EVERY: {item!r} is not JOB=SECONDS") from None
    return found


def standard_jobs(settings: Settings, store: Store, deliver: Deliver) -> list[Job]:
    """The deployment's jobs, from the settings."""
    from engine.service.certs import certificate_job

    async def timeouts() -> tuple[str, str]:
        fired = await fire_due_timeouts(store, deliver)
        return "ok", f"fired {fired} timeout(s)"

    async def certificates() -> tuple[str, str]:
        return await certificate_job(settings)

    async def summaries() -> tuple[str, str]:
        from engine.storage.dashboard.summary import refresh

        read = await store.read(refresh)
        return "ok", f"read {read} interaction(s) into the dashboard's summaries"

    jobs = [
        Job("timeouts", timeouts, IntervalTrigger(seconds=TIMEOUTS_EVERY), frequent=True),
        Job("summaries", summaries, IntervalTrigger(seconds=SUMMARIES_EVERY), frequent=True),
    ]
    if settings.cert_path or settings.cert_host:
        daily = CronTrigger.from_crontab(CERTIFICATES_CRON, timezone=UTC)
        jobs.append(Job("certificates", certificates, daily, after_start=CERTIFICATES_AFTER_START))
    # BACKUP: engine.service.backup.run_backup at BACKUP_CRON (imported when it runs).
    jobs.append(Job("backup", lambda: backup_job(settings), backup_trigger(settings)))
    overrides = intervals(settings.job_every)
    return [
        Job(job.name, job.work, IntervalTrigger(seconds=overrides[job.name]), None, job.frequent)
        if job.name in overrides
        else job
        for job in jobs
    ]


def backup_trigger(settings: Settings) -> CronTrigger:
    try:
        return CronTrigger.from_crontab(settings.backup_cron, timezone=UTC)
    except ValueError as error:
        raise ConfigError(
            f"BACKUP_CRON {settings.backup_cron!r} is not a cron line: {error}"
        ) from None


async def backup_job(settings: Settings) -> tuple[str, str]:
    """One backup into BACKUP_DIR (pruned to BACKUP_KEEP); a failure is a warning in the log
    and a failed run, and leaves no folder that looks like a backup."""
    from engine.service.backup import BackupError, run_backup

    try:
        result = await run_backup(settings)
    except BackupError as error:
        log.warning("backup failed: %s", error)
        return "failed", str(error)
    rows = sum(result.counts.values())
    pruned = f"; pruned {len(result.pruned)}" if result.pruned else ""
    return "ok", f"{result.path.name}: {rows} rows, {result.size} bytes{pruned}"


class Scheduler:
    """Stands by for the scheduler lock; while holding it, runs the jobs and records each run."""

    def __init__(
        self,
        database_url: str,
        jobs: list[Job],
        *,
        retry_every: float = 5.0,
        lock: Lock | None = None,
    ) -> None:
        self.jobs = jobs
        self.retry_every = retry_every
        self.lock = lock or scheduler_lock(database_url)
        self.runs = JobRuns(database_url)
        self.host = host_id()
        self.active = False
        self._aps: AsyncIOScheduler | None = None
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[Any]] = set()
        self._pruned_at: datetime | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._lead(), name="scheduler-lead")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._deactivate()
        await self.lock.release()

    async def run(self, job: Job) -> str:
        """Run one job now and record it; returns the outcome."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            return await self._run(job)
        finally:
            if task is not None:
                self._running.discard(task)

    # ----------------------------------------------------------------- leadership
    async def _lead(self) -> None:
        said_standby = False
        while True:
            try:
                got = await self.lock.acquire()
            except Exception as error:
                log.warning("scheduler lock cannot be tried (%s); trying again", one_line(error))
                got = False
            if got:
                said_standby = False
                await self._activate()
                while await self.lock.holding():
                    await asyncio.sleep(self.retry_every)
                log.warning("scheduler lock lost (%s); standing by", self.host)
                await self._deactivate()
            elif not said_standby:
                log.info("another process runs the scheduled jobs; %s stands by", self.host)
                said_standby = True
            await asyncio.sleep(self.retry_every)

    async def _activate(self) -> None:
        try:
            abandoned = await self.runs.abandon()
            if abandoned:
                log.warning("%d job run(s) left running by a stopped scheduler: failed", abandoned)
        except Exception as error:
            log.warning("job runs cannot be tidied: %s", one_line(error))
        aps = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        for job in self.jobs:
            options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}
            aps.add_job(self.run, job.trigger, args=[job], id=job.name, **options)
            if job.after_start is not None:
                when = now + timedelta(seconds=job.after_start)
                aps.add_job(self.run, "date", run_date=when, args=[job], id=f"{job.name}-start")
        aps.start()
        self._aps, self.active = aps, True
        log.info("scheduler active in %s: %s", self.host, ", ".join(j.name for j in self.jobs))

    async def _deactivate(self) -> None:
        self.active = False
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        if self._running:
            _, late = await asyncio.wait(list(self._running), timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=STOP_GRACE)

    # ----------------------------------------------------------------- one run
    async def _run(self, job: Job) -> str:
        run_id: int | None = None
        try:
            run_id = await self.runs.start(job.name, self.host)
        except Exception as error:
            log.warning("the %s run cannot be recorded: %s", job.name, one_line(error))
        try:
            outcome, detail = await job.work()
        except asyncio.CancelledError:
            await self._finish(job, run_id, "failed", "stopped before it finished")
            raise
        except Exception as error:
            log.exception("job %s failed", job.name)
            outcome, detail = "failed", one_line(error)
        await self._finish(job, run_id, outcome, detail)
        return outcome

    async def _finish(self, job: Job, run_id: int | None, outcome: str, detail: str) -> None:
        if run_id is None:
            return
        try:
            await self.runs.finish(run_id, outcome, detail)
            await self._prune()
        except Exception as error:
            log.warning("the %s run cannot be recorded: %s", job.name, one_line(error))

    async def _prune(self) -> None:
        now = datetime.now(UTC)
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        await self.runs.prune([job.name for job in self.jobs if job.frequent], now)

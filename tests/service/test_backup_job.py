"""The scheduler's backup job: run at its schedule by the active scheduler, each run recorded,
BACKUP_KEEP respected; a backup that cannot be made is a failed run and leaves no folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from engine.service.scheduler import Scheduler, backup_trigger, standard_jobs
from engine.service.settings import ConfigError, Settings
from engine.storage.job_runs import JobRuns
from engine.storage.store import Delivery, Store
from tests.support.db import Database


async def nothing(delivery: Delivery) -> None:
    raise AssertionError("no timeout is due")


async def run_backups(settings: Settings, store: Store, runs: int) -> list[str]:
    jobs = [job for job in standard_jobs(settings, store, nothing) if job.name == "backup"]
    scheduler = Scheduler(settings.database_url, jobs, retry_every=0.2)
    log = JobRuns(settings.database_url)
    await scheduler.start()
    try:
        async with asyncio.timeout(60):
            while len([r for r in await log.runs("backup") if r.finished_at]) < runs:
                await asyncio.sleep(0.1)
    finally:
        await scheduler.stop()
    return [f"{run.outcome}: {run.detail}" for run in await log.runs("backup")]


async def test_scheduled_backups_are_recorded_and_pruned(
    database: Database, store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    settings = Settings(
        database_url=database.url, backup_dir=folder, backup_keep=2, job_every="backup=0.7"
    )
    recorded = await run_backups(settings, store, 3)
    assert all(line.startswith("ok: clixchat-") for line in recorded[:3]), recorded
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2 and all((folder / name / "manifest.json").is_file() for name in kept)
    assert kept == sorted(line.split(": ")[1] for line in recorded[:3])[-2:]
    assert "pruned 1" in recorded[2]


async def test_a_backup_that_cannot_be_made_is_a_failed_run(
    database: Database, store: Store, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where BACKUP_DIR should be")
    settings = Settings(database_url=database.url, backup_dir=blocker, job_every="backup=0.5")
    (line, *_) = await run_backups(settings, store, 1)
    assert line.startswith("failed: cannot make BACKUP_DIR") and "\n" not in line
    assert blocker.read_text() == "a file where BACKUP_DIR should be"


def test_a_backup_cron_that_is_not_one_is_refused_in_one_line() -> None:
    with pytest.raises(ConfigError, match="BACKUP_CRON 'every night' is not a cron line"):
        backup_trigger(Settings(backup_cron="every night"))

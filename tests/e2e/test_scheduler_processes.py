"""Two `clixchat scheduler` processes on one database: one run per tick (certificate checks
every second, backups every 4 s), never two; `kill -9`
the one holding the lock and the other takes over (SQLite: file lock; PostgreSQL: advisory
lock). Processes are started and stopped by PID, every wait is bounded."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from engine.storage.job_runs import JobRuns, LastRun
from tests.support.certs import make_certificate
from tests.support.db import fresh_url

FLOWS = Path(__file__).parents[2] / "flows"
TICK = 1.0
BACKUP_TICK = 4.0
RETRY = 0.5
TAKEOVER_LIMIT = 15.0


def environment(url: str, cert: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERT_", "TELEGRAM_"))}
    env.update(
        DATABASE_URL=url,
        CLIXCHAT_SECRET="scheduler-processes",
        FLOWS_DIR=str(FLOWS),
        CERT_PATH=str(cert),
        CLIXCHAT_JOB_EVERY=f"certificates={TICK},backup={BACKUP_TICK}",
        BACKUP_DIR=str(cert.parent / "backups"),
        BACKUP_KEEP="1000",
        CLIXCHAT_SCHEDULER_RETRY=str(RETRY),
    )
    return env


def start(env: dict[str, str], folder: Path, name: str) -> subprocess.Popen[bytes]:
    with (folder / f"{name}.log").open("wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "engine.cli.main", "scheduler"],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    return process.returncode


async def wait_for(
    what: str, check: Callable[[], Awaitable[bool] | bool], limit: float = 60.0
) -> None:
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit:g} s: {what}")
        await asyncio.sleep(0.2)


def by(runs: list[LastRun], process: subprocess.Popen[bytes]) -> list[LastRun]:
    return [run for run in runs if run.host.endswith(f":{process.pid}")]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_two_scheduler_processes_one_run_per_tick_and_takeover_after_kill(
    kind: str, tmp_path: Path
) -> None:
    cert, _ = make_certificate(tmp_path, "site", 100)
    async with fresh_url(kind, tmp_path, "scheduler") as url:
        env = environment(url, cert)
        upgrade = subprocess.run(
            [sys.executable, "-m", "engine.cli.main", "db", "upgrade"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stderr.decode()
        runs = JobRuns(url)

        async def certificate_runs() -> list[LastRun]:
            return await runs.runs("certificates")

        first = start(env, tmp_path, "first")
        second: subprocess.Popen[bytes] | None = None
        try:
            await wait_for("a first run", lambda: _nonempty(certificate_runs()))
            second = start(env, tmp_path, "second")
            log = tmp_path / "second.log"
            await wait_for("the second process stands by", lambda: b"stands by" in log.read_bytes())
            standing = len(by(await certificate_runs(), first))
            await wait_for(
                "five more ticks",
                lambda: _more(certificate_runs(), first, standing + 5),
            )
            seen = await certificate_runs()
            assert by(seen, second) == [], "the standby ran the job too"
            assert {run.host for run in seen} == {seen[0].host}
            assert all(run.outcome == "ok" for run in seen if run.finished_at is not None)
            starts = [run.started_at for run in seen]
            gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
            assert min(gaps) > TICK / 2, f"two runs in one tick: {gaps}"

            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed_at = time.monotonic()
            await wait_for(
                "the second process takes over",
                lambda: _more(certificate_runs(), second, 2),
                limit=TAKEOVER_LIMIT + 30,
            )
            took = time.monotonic() - killed_at
            assert took < TAKEOVER_LIMIT, f"takeover took {took:.1f} s"
            await wait_for(
                "a backup by the second process",
                lambda: _more(runs.runs("backup"), second, 1, finished=True),
                limit=BACKUP_TICK * 10,
            )
            after = await certificate_runs()
            assert all(run.finished_at is not None for run in by(after, first))
            assert stop(second) == 0
            assert b"scheduler process stopped" in log.read_bytes()

            # the backups, made by whichever process was active: one per tick, each complete
            backups = await runs.runs("backup")
            made = [run for run in backups if run.outcome == "ok"]
            assert len(made) >= 2 and by(made, first) and by(made, second)
            folders = [p for p in (tmp_path / "backups").iterdir() if not p.name.startswith(".")]
            assert len(folders) == len(made)
            assert all((folder / "manifest.json").is_file() for folder in folders)
            starts = [run.started_at for run in backups]
            gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
            assert min(gaps) > BACKUP_TICK / 2, f"two backups in one tick: {gaps}"
        finally:
            for process in (first, second):
                if process is not None:
                    stop(process)


async def _nonempty(found: Awaitable[list[LastRun]]) -> bool:
    return bool(await found)


async def _more(
    found: Awaitable[list[LastRun]],
    process: subprocess.Popen[bytes],
    at_least: int,
    finished: bool = False,
) -> bool:
    mine = [run for run in by(await found, process) if run.finished_at or not finished]
    return len(mine) >= at_least

"""Two `clixchat scheduler` processes on one database: one run per tick, never two; `kill -9`
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
RETRY = 0.5
TAKEOVER_LIMIT = 15.0


def environment(url: str, cert: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERT_", "TELEGRAM_"))}
    env.update(
        DATABASE_URL=url,
        CLIXCHAT_SECRET="scheduler-processes",
        FLOWS_DIR=str(FLOWS),
        CERT_PATH=str(cert),
        CLIXCHAT_JOB_EVERY=f"certificates={TICK}",
        CLIXCHAT_SCHEDULER_RETRY=str(RETRY),
    )
    return env


def start(env: dict[str, str], folder: Path, name: str) -> subprocess.Popen[bytes]:
    log = (folder / f"{name}.log").open("wb")
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
            after = await certificate_runs()
            assert all(run.finished_at is not None for run in by(after, first))
            assert stop(second) == 0
            assert b"scheduler process stopped" in log.read_bytes()
        finally:
            for process in (first, second):
                if process is not None:
                    stop(process)


async def _nonempty(found: Awaitable[list[LastRun]]) -> bool:
    return bool(await found)


async def _more(
    found: Awaitable[list[LastRun]], process: subprocess.Popen[bytes], at_least: int
) -> bool:
    return len(by(await found, process)) >= at_least

"""`clixchat export` at scale: 100,000 participants and 1,000,000 interactions on PostgreSQL.

    .venv/bin/python bench/export.py [--participants 100000] [--interactions 1000000]
                                     [--postgres URL] [--runs 1]

Fills a fresh database with COPY (bench/research_data.py), runs `clixchat export` as a child
process, and prints its wall time (median of the runs) and peak RSS, against the targets
(< 60 s, < 300 MB). The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.research_data import ROOT, filled


def child(args: list[str], url: str) -> tuple[float, float]:
    """Run a clixchat command; (seconds, peak RSS in MB of that child)."""
    env = {**os.environ, "DATABASE_URL": url, "CLIXCHAT_SECRET": "bench"}
    start = time.perf_counter()
    code = os.fork()
    if code == 0:  # the child: exec so its own peak RSS is what wait4 reports
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "engine.cli.main", *args], env)
    _pid, status, usage = os.wait4(code, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"clixchat {args[0]} failed")
    return seconds, usage.ru_maxrss / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--postgres", default=os.environ.get("CLIXCHAT_TEST_POSTGRES")
        or "postgres://postgres@127.0.0.1:5432/postgres",
    )  # fmt: skip
    args = parser.parse_args()
    start = time.perf_counter()
    async with filled(args.postgres, args.participants, args.interactions) as url:
        print(f"filled {args.participants:,} participants, {args.interactions:,} interactions"
              f" in {time.perf_counter() - start:.1f} s")  # fmt: skip
        times, peaks = [], []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as out:
                seconds, peak = child(["export", "--out", out], url)
                size = sum(p.stat().st_size for p in Path(out).iterdir())
            times.append(seconds)
            peaks.append(peak)
        median = statistics.median(times)
        print(f"export: {median:.1f} s (median of {args.runs}), peak RSS {max(peaks):.0f} MB,"
              f" {size / 1e6:.0f} MB of files")  # fmt: skip
        verdict = "PASS" if median < 60 and max(peaks) < 300 else "FAIL"
        print(f"{verdict}: targets < 60 s and < 300 MB")


if __name__ == "__main__":
    asyncio.run(main())

"""Instructions per engine event at two flow sizes, counted by valgrind (callgrind).

Wall-clock events/s on a shared 2-core machine move with other load and with CPU-cache
locality; instruction counts do not. This runs the same generated flows and schedules as
bench/engine.py under callgrind, once with and once without one replay, and prints the
instructions one event costs at each size and their ratio.

    .venv/bin/python bench/engine_instructions.py [--events 4000] [--sizes 10,10000]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent


def child(size: int, events: int, replays: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import importlib.util

    spec = importlib.util.spec_from_file_location("engine_bench", ROOT / "bench" / "engine.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["engine_bench"] = bench
    spec.loader.exec_module(bench)
    args = SimpleNamespace(
        events=events, participants=1000, seed=1, compile_runs=1, no_validate=True
    )
    subject = bench.Subject(size, args)
    for _ in range(replays):
        bench.replay(subject.runtime, args.participants, subject.who, subject.what)


def instructions(size: int, events: int, replays: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            str(size),
            "--events",
            str(events),
            "--replays",
            str(replays),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        found = re.search(r"Collected : (\d+)", done.stderr)
        if found is None:
            raise SystemExit("callgrind printed no instruction count:\n" + done.stderr[-2000:])
        return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--sizes", default="10,10000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--replays", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.events, args.replays)
        return 0
    per_event: dict[int, float] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"{size} nodes: running under callgrind (twice)...", flush=True)
        base = instructions(size, args.events, 0)
        once = instructions(size, args.events, 1)
        per_event[size] = (once - base) / args.events
        print(f"  {per_event[size]:,.0f} instructions per event", flush=True)
    small, large = min(per_event), max(per_event)
    ratio = per_event[large] / per_event[small]
    verdict = "PASS" if abs(ratio - 1) < 0.10 else "FAIL"
    print(f"instructions per event, {large} vs {small} nodes: ratio {ratio:.3f}  {verdict} (< 10%)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())

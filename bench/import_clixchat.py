"""`clixchat import-clixchat --with-history` on a generated old-bot dump, into PostgreSQL.

Prints the wall time and the peak RSS of the import process (targets: < 60 s, < 300 MB for
1,000 elements and 100,000 interactions).

    python bench/import_clixchat.py [--elements 1000] [--users 10000] [--interactions 100000]
        [--server postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def generate(elements: int, users: int, interactions: int) -> list[dict[str, object]]:
    """A tree with 10 children per menu, users spread over it, interactions over the users."""
    rng = random.Random(7)
    rows: list[dict[str, object]] = []
    parents: list[int | None] = [None]
    levels = {1: 0}
    children: dict[int, list[int]] = {}
    for pk in range(1, elements + 1):
        parent = None if pk == 1 else (pk - 2) // 10 + 1
        if parent is not None:
            children.setdefault(parent, []).append(pk)
            levels[pk] = levels[parent] + 1
        parents.append(parent)
    counter = 0

    def number(pk: int) -> tuple[int, int]:
        nonlocal counter
        counter += 1
        left = counter
        for child in children.get(pk, []):
            number(child)
        counter += 1
        bounds[pk] = (left, counter)
        return bounds[pk]

    bounds: dict[int, tuple[int, int]] = {}
    sys.setrecursionlimit(10_000)
    number(1)
    for pk in range(1, elements + 1):
        media = f" https://clix.example.org/m{pk}.pdf" if pk % 7 == 0 else ""
        rows.append(
            {
                "model": "bot.element",
                "pk": pk,
                "fields": {
                    "name": "start" if pk == 1 else f"Topic {pk}",
                    "message_text": f"Resources for topic {pk}~More about it{media}",
                    "parent": parents[pk],
                    "lft": bounds[pk][0],
                    "rght": bounds[pk][1],
                    "tree_id": 1,
                    "level": levels[pk],
                },
            }
        )
    menus = [pk for pk in range(1, elements + 1) if pk in children]
    for index in range(users):
        rows.append(
            {
                "model": "bot.user",
                "pk": 5_000_000_000 + index,
                "fields": {"last_node": rng.choice(menus), "last_visit": "2018-03-01T10:00:00Z"},
            }
        )
    for pk in range(1, interactions + 1):
        element = rng.randint(1, elements)
        rows.append(
            {
                "model": "bot.interaction",
                "pk": pk,
                "fields": {
                    "user": 5_000_000_000 + rng.randrange(users),
                    "msg_s": f"Topic {element}",
                    "msg_r": f"More about it {element}",
                    "msg_pk": element,
                    "btns": str([f"Topic {c}" for c in children.get(element, [])[:5]]),
                    "start_time": f"2018-02-{1 + pk % 28:02d}T09:{pk % 60:02d}:00Z",
                    "response_time": f"2018-02-{1 + pk % 28:02d}T09:{pk % 60:02d}:01Z",
                },
            }
        )
    return rows


async def admin(server: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--elements", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "CLIXCHAT_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    name = f"clixchat_bench_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(args.server)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "dump.json"
        dump.write_text(json.dumps(generate(args.elements, args.users, args.interactions)))
        flows = Path(folder) / "flows"
        flows.mkdir()
        asyncio.run(admin(args.server, f'CREATE DATABASE "{name}"'))
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "FLOWS_DIR": str(flows),
            "CLIXCHAT_SECRET": "bench",
        }
        try:
            cli = [sys.executable, "-m", "engine.cli.main"]
            subprocess.run([*cli, "db", "upgrade"], env=env, check=True, cwd=ROOT)
            runs = []
            # each import in a wrapper that reports the peak RSS of that one process
            measured = [
                sys.executable,
                "-c",
                "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
                "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                "sys.exit(code)",
            ]
            for attempt in ("first", "again (idempotent)"):
                started = time.perf_counter()
                done = subprocess.run(
                    [*measured, *cli, "import-clixchat", str(dump), "--with-history"],
                    env=env,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                seconds = time.perf_counter() - started
                if done.returncode != 0:
                    print(done.stderr, file=sys.stderr)
                    return 1
                peak = int(done.stderr.strip().splitlines()[-1]) / 1024
                runs.append((attempt, seconds, peak, done.stdout.strip()))
        finally:
            asyncio.run(admin(args.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(
        f"dump: {args.elements:,} elements, {args.users:,} users, "
        f"{args.interactions:,} interactions (PostgreSQL)"
    )
    print(f"{'run':<22}{'seconds':>10}{'peak RSS MB':>14}")
    for attempt, seconds, peak, _ in runs:
        print(f"{attempt:<22}{seconds:>10.1f}{peak:>14.0f}")
    print(runs[0][3])
    return 0


if __name__ == "__main__":
    sys.exit(main())

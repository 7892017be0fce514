"""Durable events per second: 1,000 participants walking the helpdesk flow through the store.

    .venv/bin/python bench/persist.py [--participants 1000] [--runs 3] [--postgres URL]

Each run uses a fresh database (a temp SQLite file; a temp PostgreSQL database on the server,
skipped with a message if it cannot be reached), sends every participant's walk with 1 and
with 40 events in flight (40 is Telegram's default webhook max_connections; one participant
never has two events in flight, as in a real chat), counts an event only once `handle()`
returned (committed), then checks that the interactions stored equal the events sent.
Prints the median of the runs and PASS/FAIL against 1,000 events/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # type: ignore[import-untyped]
from tortoise import Tortoise

from engine.authoring.live import LiveFlows
from engine.core.events import Inbound
from engine.storage.db import tortoise_config
from engine.storage.models import Interaction
from engine.storage.privacy import Privacy
from engine.storage.store import Store

TARGET = 1000.0
FLOW = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "helpdesk.json"
FEEDBACK = [
    "The geometry module worked well in class 7",
    "Students liked the proportional reasoning games",
    "The audio did not play on my phone",
    "बच्चों को गतिविधियाँ पसंद आईं",
]


def walk(n: int) -> list[Inbound]:
    """A teacher's visit: typed labels, numbers, a wrong answer, free text, and a goodbye."""
    years = str(n % 40)
    return [
        Inbound.message("/start", "hi" if n % 5 == 0 else "en"),
        Inbound.message("2" if n % 2 else ("सुझाव" if n % 5 == 0 else "Feedback")),
        Inbound.message(FEEDBACK[n % len(FEEDBACK)]),
        Inbound.message("3"),
        Inbound.message("about ten"),
        Inbound.message(years),
        Inbound.message("1"),
        Inbound.message("2" if n % 3 else "1"),
        Inbound.message("4"),
        Inbound.message("hello again"),
    ]


@dataclass
class Result:
    rate: float
    events: int
    stored: int
    batches: int
    failed_batches: int


async def one_run(url: str, concurrency: int, participants: int) -> Result:
    await Tortoise.init(config=tortoise_config(url, with_aerich=False))
    await Tortoise.generate_schemas()
    store = Store(LiveFlows([FLOW]), Privacy("bench-secret"), database_url=url)
    walks = {1_000_000 + n: deque(walk(n)) for n in range(participants)}
    waiting: deque[int] = deque(walks)
    sent = 0
    update_ids = iter(range(1, 10**9))

    async def connection() -> None:
        nonlocal sent
        while waiting:
            user = waiting.popleft()
            event = walks[user].popleft()
            await store.handle(
                "telegram", event, user_id=user, chat_id=user, update_id=next(update_ids)
            )
            sent += 1
            if walks[user]:
                waiting.append(user)

    await store.record_revisions()
    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    stats = store.stats
    await store.close()
    stored = await Interaction.all().count()
    await Tortoise.close_connections()
    return Result(sent / elapsed, sent, stored, stats.batches, stats.failed_batches)


async def postgres_database(server: str) -> tuple[str, str] | None:
    name = f"clixchat_bench_{uuid.uuid4().hex[:10]}"
    dsn = urlunsplit(urlsplit(server)._replace(scheme="postgresql"))
    try:
        connection = await asyncpg.connect(dsn, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        print(f"postgres: skipped ({server} unreachable: {type(error).__name__})")
        return None
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}")), name


async def drop_postgres(server: str, name: str) -> None:
    connection = await asyncpg.connect(urlunsplit(urlsplit(server)._replace(scheme="postgresql")))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def measure(kind: str, server: str, concurrency: int, args: argparse.Namespace) -> bool:
    results: list[Result] = []
    for _ in range(args.runs):
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results.append(
                    await one_run(f"sqlite://{folder}/bench.db", concurrency, args.participants)
                )
        else:
            created = await postgres_database(server)
            if created is None:
                return True
            url, name = created
            try:
                results.append(await one_run(url, concurrency, args.participants))
            finally:
                await drop_postgres(server, name)
    rate = statistics.median(r.rate for r in results)
    lost = [r for r in results if r.stored != r.events]
    per_batch = statistics.median(r.events / max(r.batches, 1) for r in results)
    verdict = "PASS" if rate >= TARGET and not lost else "FAIL"
    print(
        f"{kind:8} concurrency {concurrency:>2}: {rate:7.0f} durable events/s "
        f"(median of {len(results)}; {results[0].events} events, {per_batch:.1f} per commit, "
        f"{'nothing lost' if not lost else 'LOST EVENTS'}) {verdict}",
        flush=True,
    )
    return verdict == "PASS"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 40])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "CLIXCHAT_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    print(
        f"{args.participants} participants x {len(walk(0))} events each, helpdesk flow; "
        f"target {TARGET:,.0f} durable events/s"
    )
    passed = {}
    for kind in ("sqlite", "postgres"):
        for concurrency in args.concurrency:
            passed[(kind, concurrency)] = await measure(kind, args.postgres, concurrency, args)
    ok = all(ok for (_, c), ok in passed.items() if c >= 40)
    print(f"at Telegram's 40 connections: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

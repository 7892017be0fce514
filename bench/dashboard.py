"""The dashboard at scale: 100,000 participants and 1,000,000 interactions over 3 flows on
PostgreSQL; each page's server time (median of 5) against the target of < 300 ms.

    .venv/bin/python bench/dashboard.py [--participants 100000] [--interactions 1000000]
                                        [--postgres URL] [--runs 5]

Fills a fresh database with COPY (bench/research_data.py), then spreads it like a live
deployment's: positions over the flow's nodes, a fifth ended, answers saved by half, last seen
and interactions over the last 70 days. The scheduler's first `summaries` run (the funnel and
activity summaries from all interactions) is timed on its own; then every page is requested
through the app in process (ASGI, no network) after one warm-up request. The database is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.research_data import FLOW, FLOWS, T0, _dsn, filled
from engine.service.settings import load_settings
from engine.service.wiring import build_services
from engine.storage import accounts
from engine.storage.dashboard.summary import refresh
from web.app import create_app

TARGET_MS = 300
NODES = ["start", "years", "modules", "feedback", "bye"]


async def spread(url: str) -> None:
    """Positions, answers, ends and times like a deployment's (set-based UPDATEs)."""
    connection = await asyncpg.connect(_dsn(url))
    try:
        shift = datetime.now(UTC) - timedelta(days=70) - T0
        nodes = "ARRAY[" + ", ".join(f"'{n}'" for n in NODES) + "]"
        await connection.execute(
            f"UPDATE participant SET node = ({nodes})[id % 5 + 1], ended = (id % 5 = 4),"
            " active = (id % 17 <> 0),"
            " last_seen = now() - (id % 40) * interval '1 day' - (id % 24) * interval '1 hour',"
            " variables = CASE WHEN id % 2 = 0 THEN jsonb_build_object('years', id % 40,"
            " 'feedback', (ARRAY['Very useful', 'More videos please', 'ok'])[id % 3 + 1],"
            " 'district', (ARRAY['Aizawl', 'Jaipur', 'Warangal'])[id % 3 + 1])"
            " ELSE '{}'::jsonb END"
        )
        await connection.execute(
            "UPDATE interaction SET received_at = received_at + $1::interval,"
            " responded_at = responded_at + $1::interval",
            shift,
        )
        # the revision the interactions name (so passed-through nodes are inferred from it)
        await connection.execute("UPDATE flow_revision SET sha256 = $1", "r" * 64)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def flows_dir(folder: Path) -> Path:
    for index, flow in enumerate(FLOWS):
        document = {**FLOW, "flow": flow, "main": index == 0}
        (folder / f"{flow}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres", default=os.environ.get("CLIXCHAT_TEST_POSTGRES")
        or "postgres://postgres@127.0.0.1:5432/postgres",
    )  # fmt: skip
    args = parser.parse_args()
    start = time.perf_counter()
    async with filled(args.postgres, args.participants, args.interactions) as url:
        await spread(url)
        print(f"filled {args.participants:,} participants, {args.interactions:,} interactions"
              f" in {time.perf_counter() - start:.1f} s")  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            await pages(url, Path(folder), args.runs)


async def pages(url: str, folder: Path, runs: int) -> None:
    settings = load_settings(
        {"DATABASE_URL": url, "FLOWS_DIR": str(flows_dir(folder)), "CLIXCHAT_SECRET": "bench"},
        env_file=None,
    )
    services = build_services(settings)
    store = services.store
    began = time.perf_counter()
    read = await store.read(refresh)
    print(f"summaries, first run (the scheduler's job): {read:,} interactions"
          f" in {time.perf_counter() - began:.1f} s")  # fmt: skip
    await store.read(lambda: accounts.create("bench", "bench-password-1", "admin"))
    some = await asyncpg.connect(_dsn(url))
    middle = await some.fetchval("SELECT (MIN(id) + MAX(id)) / 2 FROM participant")
    pseudonym = await some.fetchval("SELECT pseudonym FROM participant WHERE id = $1", middle)
    await some.close()
    since = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    paths = [
        "/admin/",
        "/admin/flows/",
        "/admin/flows/helpdesk",
        f"/admin/flows/helpdesk?revision={'r' * 64}&since={since}",
        "/admin/participants/",
        f"/admin/participants/?after={middle}",
        "/admin/participants/?flow=helpdesk&node=years&state=waiting",
        "/admin/participants/?flow=helpdesk&node=feedback&state=reached",
        "/admin/participants/?flow=helpdesk-b&language=en&active=1&var.district=Jaipur",
        f"/admin/participants/?seen_since={since}",
        f"/admin/participants/{pseudonym}",
        "/admin/interactions/",
        f"/admin/interactions/?flow=helpdesk&kind=answer&since={since}",
        "/admin/interactions/?q=videos",
        "/admin/interactions/?q=no-such-words",  # no match: one span of the table read
        "/admin/answers/helpdesk",
        "/admin/jobs/",
        "/admin/accounts/",
    ]
    app = create_app(services)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            login = await client.get("/admin/login")
            token = re.search(r'name="csrf" value="([^"]+)"', login.text)
            assert token
            done = await client.post(
                "/admin/login",
                data={"username": "bench", "password": "bench-password-1", "csrf": token[1]},
            )
            assert done.status_code in (200, 303), done.text
            slow = 0
            print(f"{'page':<78} {'median ms':>9}")
            for path in paths:
                response = await client.get(path)  # warm-up (and the diagram's layout)
                assert response.status_code == 200, (path, response.status_code)
                times = []
                for _ in range(runs):
                    began = time.perf_counter()
                    response = await client.get(path)
                    times.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200
                median = statistics.median(times)
                slow += median >= TARGET_MS
                print(f"{path[:78]:<78} {median:>9.0f}")
            for path in ("/admin/participants.csv", "/admin/interactions.csv?flow=helpdesk"):
                began = time.perf_counter()
                size = 0
                async with client.stream("GET", path) as streamed:
                    async for chunk in streamed.aiter_bytes():
                        size += len(chunk)
                print(f"{path:<60} whole CSV {size / 1e6:.0f} MB in"
                      f" {time.perf_counter() - began:.1f} s (streamed)")  # fmt: skip
            verdict = "PASS" if slow == 0 else f"FAIL ({slow} page(s) slower)"
            print(f"{verdict}: every page < {TARGET_MS} ms")
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())

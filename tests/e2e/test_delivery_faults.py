"""No reply is ever lost: `kill -9` under load, SIGTERM with a backlog, two `serve` processes on one
PostgreSQL. Real processes against the Bot API double; SQLite always, PostgreSQL when
CLIXCHAT_TEST_POSTGRES is set. Each compares what the database says was committed with what
reached the double, chat by chat."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.processes import (
    Load,
    collapse,
    environment,
    most_in_window,
    pseudonym,
    start_server,
    upgrade,
)
from tests.e2e.stack import TOKEN
from tests.support.botapi_double import BotApiDouble
from tests.support.db import fresh_url
from tests.support.double_process import DoubleProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


async def fetch(url: str, query: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("://", 1)[1]) as db:
            return list(db.execute(query).fetchall())
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        return [tuple(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


async def committed(url: str, users: list[int]) -> dict[int, list[str]]:
    """Per user, the texts of every reply the database says their events produced."""
    rows = await fetch(
        url,
        "SELECT p.pseudonym, i.output FROM interaction i JOIN participant p"
        " ON p.id = i.participant_id ORDER BY i.id",
    )
    by_pseudonym: dict[str, list[str]] = {}
    for who, output in rows:
        messages = json.loads(output) if isinstance(output, str) else output
        by_pseudonym.setdefault(who, []).extend(m["text"] or "" for m in messages)
    return {user: by_pseudonym.get(pseudonym(user), []) for user in users}


def delivered(api: BotApiDouble, user: int) -> list[str]:
    return [call.text or "" for call in api.sent(user)]


async def unsent(url: str) -> int:
    rows = await fetch(url, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
    return int(rows[0][0])


async def drained(url: str, limit: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + limit
    while await unsent(url):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{await unsent(url)} replies still unsent after {limit:g} s")
        await asyncio.sleep(0.2)


@asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    """A fresh database (PostgreSQL skips without CLIXCHAT_TEST_POSTGRES), migrated."""
    async with fresh_url(kind, folder, "delivery") as url:
        upgrade(url, folder)
        yield url


KINDS = ["sqlite", "postgres"]


@pytest.mark.parametrize("kind", KINDS)
async def test_kill_9_under_load_loses_no_committed_reply(kind: str, tmp_path: Path) -> None:
    users = list(range(700001, 700031))
    with BotApiDouble(token=TOKEN, strict=False) as api:
        api.set_latency(0.01)
        async with database(kind, tmp_path) as url:
            env = environment(tmp_path, url, api.url, SEND_RATE="1000", CLIXCHAT_TIME_SCALE="20")
            server = start_server(tmp_path, env, "first")
            load = Load(users, rounds=2)
            walking = asyncio.ensure_future(load.run(lambda _: server.url))
            while load.accepted < 120:  # under load: about a third of the way
                await asyncio.sleep(0.02)
            in_flight_bound = len(users)  # at most one call per chat is in flight
            server.kill()
            killed_at = load.accepted
            await asyncio.sleep(0.5)
            server = start_server(tmp_path, env, "second")
            try:
                await walking
                await drained(url)
            finally:
                server.terminate()
            expected = await committed(url, users)
    assert load.refused > 0 and killed_at < load.accepted  # the kill really cut the load
    duplicates = 0
    for user in users:
        got = delivered(api, user)
        assert collapse(got) == collapse(expected[user]), f"user {user}: {got} {expected[user]}"
        duplicates += len(got) - len(expected[user])
    assert 0 <= duplicates <= in_flight_bound
    assert all(code < 500 for code in load.answers)


@pytest.mark.parametrize("kind", KINDS)
async def test_sigterm_with_a_slow_bot_api_drops_nothing(kind: str, tmp_path: Path) -> None:
    users = list(range(710001, 710021))
    with BotApiDouble(token=TOKEN, strict=False) as api:
        api.set_latency(0.3)
        async with database(kind, tmp_path) as url:
            env = environment(tmp_path, url, api.url, SEND_RATE="10")
            server = start_server(tmp_path, env, "first")
            await Load(users, rounds=1).run(lambda _: server.url)
            backlog = await unsent(url)
            assert backlog > 40  # far more than 10/s can send before the stop
            took = server.terminate()
            assert took < 15
            rows = await fetch(url, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
            statuses = dict(rows)
            reached = len(api.sent())
            # nothing delivered recorded as unsent, nothing dropped or failed
            assert statuses.get("sent", 0) == reached
            assert set(statuses) <= {"sent", "queued"}
            assert statuses.get("queued", 0) > 0  # the rest waits for the next start
            api.set_latency(0)
            server = start_server(tmp_path, env.copy() | {"SEND_RATE": "1000"}, "second")
            try:
                await drained(url)
            finally:
                server.terminate()
            expected = await committed(url, users)
    for user in users:
        assert delivered(api, user) == expected[user], f"user {user}"  # in order, once each


@pytest.mark.parametrize("rate", [10, 30])
async def test_two_serve_processes_keep_order_and_the_send_rate(rate: int, tmp_path: Path) -> None:
    users = list(range(720001, 720041))
    # the double in a process of its own: arrival times free of this process's load
    with DoubleProcess(tmp_path, TOKEN) as api:
        async with database("postgres", tmp_path) as url:
            env = environment(tmp_path, url, api.url, SEND_RATE=str(rate))
            first = start_server(tmp_path, env, "a")
            second = start_server(tmp_path, env, "b")
            try:
                servers = [first.url, second.url]
                load = Load(users, rounds=1, duplicates=0.1)
                await load.run(lambda number: servers[number % 2])
                await drained(url, limit=120)
            finally:
                first.terminate()
                second.terminate()
            expected = await committed(url, users)
        api.stop()
    for user in users:
        assert [c.text for c in api.sent(user)] == expected[user], f"user {user}"
    times = [call.at for call in api.sent()]
    assert len(times) > 2 * rate
    ordered = sorted(times)
    gaps = [round(b - a, 3) for a, b in zip(ordered, ordered[rate:], strict=False)]
    assert most_in_window(times) <= rate, f"{rate + 1} sends within {min(gaps)} s"

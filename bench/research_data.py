"""A PostgreSQL database filled for the export and backup benchmarks: 100,000 participants
and 1,000,000 interactions over 3 flows (COPY, so filling takes seconds, not hours).

Used by bench/export.py and bench/backup.py; the database is made fresh and dropped after.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
FLOW = json.loads((ROOT / "tests" / "fixtures" / "helpdesk.json").read_text(encoding="utf-8"))
FLOWS = ["helpdesk", "helpdesk-b", "helpdesk-c"]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _dsn(url: str, name: str | None = None) -> str:
    parts = urlsplit(url)
    if name is not None:
        parts = parts._replace(path=f"/{name}")
    return urlunsplit(parts._replace(scheme="postgresql"))


def _walk(rng: random.Random) -> list[tuple[str, str | None, str | None, str, dict[str, object]]]:
    """(kind, node_before, node_after, input, saved) for one visit through the flow."""
    steps: list[tuple[str, str | None, str | None, str, dict[str, object]]] = [
        ("start", None, "start", "/start", {}),
        ("choice", "start", "years", "Profile", {"choice": 3}),
    ]
    for _ in range(rng.choice((0, 0, 1, 2))):
        steps.append(("retry", "years", "years", "many", {}))
    years = rng.randint(0, 40)
    steps.append(("answer", "years", "start", str(years), {"years": years}))
    steps.append(("choice", "start", "feedback", "Feedback", {"choice": 2}))
    text = rng.choice(("Very useful", "मॉड्यूल अच्छा है", "More videos please", "ok"))
    steps.append(("answer", "feedback", "start", text, {"feedback": text}))
    steps.append(("choice", "start", "modules", "Modules", {"choice": 1}))
    steps.append(("choice", "modules", "start", "Maths", {"choice": 1}))
    return steps


@asynccontextmanager
async def filled(server: str, participants: int, interactions: int) -> AsyncIterator[str]:
    """Yields the URL of a fresh database holding the data; drops it afterwards."""
    name = f"clixchat_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_dsn(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    try:
        subprocess.run(
            [sys.executable, "-m", "engine.cli.main", "db", "upgrade", "--database", url],
            check=True, capture_output=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        await _fill(_dsn(server, name), participants, interactions)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _fill(dsn: str, participants: int, interactions: int) -> None:
    rng = random.Random(7)
    connection = await asyncpg.connect(dsn)
    try:
        for flow in FLOWS:
            document = {**FLOW, "flow": flow}
            await connection.execute(
                "INSERT INTO flow_revision (flow, sha256, source, first_seen)"
                " VALUES ($1, $2, $3, $4)",
                flow, uuid.uuid4().hex * 2, json.dumps(document), T0,
            )  # fmt: skip
        people = []
        for pid in range(1, participants + 1):
            channel = "web" if pid % 100 == 0 else "telegram"  # 1% test participants
            people.append(
                (pid, uuid.uuid4().hex * 2, channel, "gAAAA-cipher", "en", FLOWS[pid % 3],
                 "r" * 64, "start", "[]", "{}", None, False, True, None,
                 T0 + timedelta(minutes=pid), T0 + timedelta(days=1, minutes=pid), 1)
            )  # fmt: skip
        await connection.copy_records_to_table(
            "participant", records=people,
            columns=["id", "pseudonym", "channel", "chat_cipher", "language", "flow", "revision",
                     "node", "path", "variables", "awaiting", "ended", "active", "wait_until",
                     "created_at", "last_seen", "version"],
        )  # fmt: skip
        per = interactions // participants
        batch: list[tuple[object, ...]] = []
        iid = 0
        columns = ["id", "participant_id", "flow", "revision", "node_before", "node_after",
                   "kind", "input_kind", "input_text", "input_media", "output", "buttons",
                   "saved", "received_at", "responded_at", "update_id"]  # fmt: skip
        for pid in range(1, participants + 1):
            flow = FLOWS[pid % 3]
            steps: list[tuple[str, str | None, str | None, str, dict[str, object]]] = []
            while len(steps) < per:
                steps.extend(_walk(rng))
            at = T0 + timedelta(minutes=pid)
            for kind, before, after, text, saved in steps[:per]:
                iid += 1
                at += timedelta(seconds=30)
                out = json.dumps([{"text": "Hello teacher! Choose a topic.", "media_kind": None,
                                   "media": None}])  # fmt: skip
                batch.append(
                    (iid, pid, flow, "r" * 64, f"{flow}:{before}" if before else None,
                     f"{flow}:{after}" if after else None, kind, "text", text, None, out,
                     '["Modules","Feedback","Profile","Goodbye"]', json.dumps(saved), at,
                     at + timedelta(milliseconds=40), iid)
                )  # fmt: skip
            if len(batch) >= 50_000:
                await connection.copy_records_to_table(
                    "interaction", records=batch, columns=columns
                )
                batch = []
        if batch:
            await connection.copy_records_to_table("interaction", records=batch, columns=columns)
        for table in ("participant", "interaction"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT MAX(id) FROM {table}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()

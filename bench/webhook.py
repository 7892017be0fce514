"""Telegram's webhook end to end: real update JSON POSTed to `/bot/` of `clixchat serve`.

    .venv/bin/python bench/webhook.py [--participants 1000] [--concurrency 40] [--seconds 10]
                                      [--rate 500] [--databases sqlite,postgres] [--postgres URL]

For each database the bench starts the Bot API test double (in this process, so the outbox has
somewhere to send) and `clixchat serve` as a separate process: SQLite (a temp file) with 1
worker, PostgreSQL (a fresh database with a random name, `clixchat db upgrade` first, dropped
at the end) with 2 workers. Then, from a load generator on loopback (aiohttp, one connection
pool of `--concurrency` keep-alive connections, 40 being Telegram's default max_connections):

1. walk: every participant (a distinct Telegram user) walks the example flow once, as people
   do: /start, menu choices by label and by number, Back, Main menu, survey answers (some
   wrong first), free text, in English or Hindi. A participant sends its next update only
   once the previous one was answered. Closed loop: updates/s and latency at 40 connections.
2. open loop: updates offered at a fixed `--rate` for `--seconds`, whatever the answers'
   latency (latency counted from when each update was due). Target: p99 < 100 ms at 500/s.
3. max throughput: closed loop again for `--seconds`, participants walking on. Target: at
   least 1,000 updates/s.

Afterwards the stored interactions must equal the updates accepted (200), and their kinds
(choice, back, retry, ...) must be those the walks were checked to produce before the run.
Exits 0 only when every target passes for every database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# the repository first: bench/engine.py would shadow the engine package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import asyncpg  # type: ignore[import-untyped]

from engine.authoring.live import LiveFlows
from engine.core.conversation import Conversation
from engine.core.events import Inbound
from tests.support import updates
from tests.support.botapi_double import BotApiDouble

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
CLIXCHAT = ROOT / ".venv" / "bin" / "clixchat"
TOKEN = "123456:BENCH-token_for_the_double"
WEBHOOK_SECRET = "bench-webhook-secret_0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TARGET_RATE = 1000.0
TARGET_P99_MS = 100.0
FIRST_USER = 700_000_000
HTTP_TIMEOUT = 10.0

# ---------------------------------------------------------------------------------------------
# the walks: (what the teacher types, the Turn.kind the engine must answer it with)
# ---------------------------------------------------------------------------------------------

Step = tuple[str, str]
ENGLISH: dict[str, list[Step]] = {
    "modules": [
        ("/start", "start"),
        ("CLIx modules", "choice"),
        ("1", "choice"),
        ("Geometric Reasoning", "choice"),
        ("Back", "back"),
        ("2", "choice"),
        ("1", "choice"),
        ("Did this help?", "choice"),
        ("Yes", "answer"),
        ("Teacher resources", "choice"),
        ("1", "choice"),  # the maths handbook, a PDF
        ("Main menu", "restart"),
    ],
    "survey": [
        ("/start", "start"),
        ("4", "choice"),
        ("about ten", "retry"),
        ("12", "answer"),
        ("not sure", "invalid_choice"),
        ("Science", "choice"),
        ("Dhamtari", "answer"),
        ("Yes, that's right", "choice"),
        ("Modules for me", "choice"),
        ("Back", "back"),
        ("Teacher resources", "choice"),
        ("Moon phases chart", "choice"),
        ("3", "choice"),
        ("No", "answer"),
        ("Common questions", "choice"),
    ],
    "faq": [
        ("/start", "start"),
        ("Common questions", "choice"),
        ("1", "choice"),
        ("Back", "back"),
        ("Main menu", "restart"),
        ("Find CLIx support", "choice"),
        ("Send my PIN code", "choice"),
        ("12345", "retry"),
        ("492001", "answer"),
        ("2", "choice"),
        ("The audio did not play on my phone", "answer"),
        ("1", "choice"),
        ("4", "choice"),
        ("Main menu", "restart"),
        ("Goodbye", "choice"),
    ],
}
HINDI: dict[str, list[Step]] = {
    "feedback": [
        ("/start", "start"),
        ("सुझाव दें", "choice"),
        ("बच्चों को गतिविधियाँ पसंद आईं", "answer"),
        ("1", "choice"),
        ("2", "choice"),
        ("वापस", "back"),
        ("3", "choice"),
        ("1", "choice"),
        ("1", "choice"),
        ("हाँ", "answer"),
        ("2", "choice"),
        ("मुख्य मेन्यू", "restart"),
    ],
    "survey": [
        ("/start", "start"),
        ("मेरी शिक्षक प्रोफ़ाइल", "choice"),
        ("पाँच", "retry"),
        ("१", "answer"),
        ("गणित", "choice"),
        ("धमतरी", "answer"),
        ("जवाब बदलें", "choice"),
        ("3", "answer"),
        ("2", "choice"),
        ("रायपुर", "answer"),
        ("1", "choice"),
        ("मुख्य मेन्यू", "restart"),
        ("अलविदा", "choice"),
    ],
}
WALKS = {"en": list(ENGLISH.values()), "hi": list(HINDI.values())}


def check_walks() -> None:
    """Every walk, after every other, must be answered as written (the flow may have changed)."""
    runtime = LiveFlows([FLOWS]).runtime
    for language, walks in WALKS.items():
        for first in range(len(walks)):
            conversation = Conversation()
            for round_ in range(len(walks) + 1):
                walk = walks[(first + round_) % len(walks)]
                for text, kind in walk:
                    turn = runtime.handle(conversation, Inbound.message(text, language), 1e9)
                    if turn.kind != kind:
                        raise SystemExit(
                            f"walk check: {text!r} ({language}) answered {turn.kind!r}, "
                            f"expected {kind!r} at {turn.before}; update bench/webhook.py's walks"
                        )


@dataclass
class Participant:
    """One Telegram user walking the flow, walk after walk, one update in flight at most."""

    user_id: int
    language: str
    walk: int
    step: int = 0

    def steps_left_in_walk(self) -> int:
        return len(self._walk()) - self.step

    def _walk(self) -> list[Step]:
        walks = WALKS[self.language]
        return walks[self.walk % len(walks)]

    def next_update(self, update_id: int) -> tuple[bytes, str]:
        text, kind = self._walk()[self.step]
        self.step += 1
        if self.step == len(self._walk()):
            self.walk, self.step = self.walk + 1, 0
        lang = self.language
        if text.startswith("/"):
            update = updates.command(update_id, self.user_id, text, language_code=lang)
        else:
            update = updates.message(update_id, self.user_id, text, language_code=lang)
        return json.dumps(update, ensure_ascii=False).encode(), kind


def participants(count: int) -> list[Participant]:
    """One in five with a phone set to Hindi; each starts at a different walk."""
    return [
        Participant(FIRST_USER + n, "hi" if n % 5 == 0 else "en", walk=n // 5 if n % 5 == 0 else n)
        for n in range(count)
    ]


# ---------------------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    in_body: int = 0
    """Answers that carried the bot's reply in the response body (the rest went to the outbox)."""
    skipped: int = 0
    """Open loop: updates that were due while every participant had one in flight."""
    kinds: Counter[str] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)
    workers: list[float] = field(default_factory=list)
    """CPU cores busy per server process (uvicorn's workers), busiest first."""

    @property
    def sent(self) -> int:
        return len(self.latencies)

    @property
    def accepted(self) -> int:
        return self.statuses[200]

    @property
    def errors(self) -> int:
        return self.sent - self.accepted

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


class Load:
    """Posts updates to the webhook over one pool of keep-alive connections."""

    def __init__(self, http: aiohttp.ClientSession, url: str, people: list[Participant]) -> None:
        self.http, self.url = http, url
        self.people = people
        self.update_ids = iter(range(1, 1 << 62))
        self.headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}

    async def post(self, who: Participant, phase: Phase, due: float | None = None) -> None:
        body, kind = who.next_update(next(self.update_ids))
        started = time.perf_counter() if due is None else due
        status, content = 0, b""
        try:
            async with self.http.post(self.url, data=body, headers=self.headers) as response:
                content = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        phase.latencies.append(time.perf_counter() - started)
        phase.statuses[status] += 1
        if status == 200:
            phase.kinds[kind] += 1
            phase.in_body += bool(content)

    async def closed(
        self, phase: Phase, concurrency: int, *, one_walk: bool, seconds: float
    ) -> None:
        """`concurrency` connections, each taking the next participant with nothing in flight.

        one_walk: each participant finishes the walk it is on, then stops (else: walk on until
        `seconds` are up). Either way, nothing runs past `seconds` (plus one HTTP timeout)."""
        quota = {id(p): p.steps_left_in_walk() if one_walk else 1 << 30 for p in self.people}
        ready = deque(self.people)
        started = time.perf_counter()
        deadline = started + seconds

        async def connection() -> None:
            while ready and time.perf_counter() < deadline:
                who = ready.popleft()
                await self.post(who, phase)
                quota[id(who)] -= 1
                if quota[id(who)] > 0:
                    ready.append(who)

        await asyncio.gather(*(connection() for _ in range(concurrency)))
        phase.seconds = time.perf_counter() - started

    async def open(self, phase: Phase, rate: float, seconds: float) -> None:
        """Offer `rate` updates/s for `seconds`, each to a participant with nothing in flight."""
        ready = deque(self.people)
        flying: set[asyncio.Task[None]] = set()

        async def one(who: Participant, due: float) -> None:
            await self.post(who, phase, due)
            ready.append(who)

        total = int(rate * seconds)
        started = time.perf_counter()
        for n in range(total):
            due = started + n / rate
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            if not ready:
                phase.skipped += 1
                continue
            task = asyncio.create_task(one(ready.popleft(), due))
            flying.add(task)
            task.add_done_callback(flying.discard)
        if flying:
            await asyncio.wait(set(flying), timeout=HTTP_TIMEOUT + 5)
        phase.seconds = time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# CPU by process group, from /proc (who pays for each update on this 2-core machine)
# ---------------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(server_session: int) -> dict[str, float]:
    """CPU seconds used so far: this process, each process of the server's session ("server
    PID": uvicorn's workers), PostgreSQL, and the whole machine (the rest is someone else's)."""
    used = dict.fromkeys(("bench", "postgres", "machine"), 0.0)
    with contextlib.suppress(OSError, ValueError, IndexError):
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        used["machine"] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICK  # all but idle, iowait
    me = os.getpid()
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                raw = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            comm = raw[raw.index("(") + 1 : raw.rindex(")")]
            fields = raw[raw.rindex(")") + 2 :].split()
            seconds = (int(fields[11]) + int(fields[12])) / TICK
            pid, session = int(entry.name), int(fields[3])
            if pid == me:
                used["bench"] += seconds
            elif session == server_session:
                used[f"server {pid}"] = seconds
            elif comm.startswith("postgres"):
                used["postgres"] += seconds
    return used


# ---------------------------------------------------------------------------------------------
# the server and its database
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Database:
    kind: str
    url: str
    workers: int
    sqlite_path: Path | None = None
    pg_name: str | None = None


def pg_dsn(server: str, name: str | None = None) -> str:
    parts = urlsplit(server)._replace(scheme="postgresql")
    return urlunsplit(parts._replace(path=f"/{name}") if name else parts)


async def create_postgres(server: str) -> Database | None:
    name = f"clixchat_webhook_{uuid.uuid4().hex[:10]}"
    try:
        connection = await asyncpg.connect(pg_dsn(server), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        print(f"postgres: skipped ({server} unreachable: {type(error).__name__})")
        return None
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    upgrade = subprocess.run(
        [str(CLIXCHAT), "db", "upgrade", "--database", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if upgrade.returncode != 0:
        await drop_postgres(server, name)
        raise SystemExit(f"clixchat db upgrade failed:\n{upgrade.stdout}{upgrade.stderr}")
    return Database("postgres", url, 2, pg_name=name)


async def drop_postgres(server: str, name: str) -> None:
    connection = await asyncpg.connect(pg_dsn(server), timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


REPLIES_SQL = (
    "SELECT (SELECT COALESCE(SUM({length}(output)), 0) FROM interaction),"
    " (SELECT COUNT(*) FROM outbox)"
)


async def stored(database: Database, server: str) -> tuple[int, Counter[str], int, int]:
    """(interactions, their kinds, replies they record, outbox rows) as the database holds them."""
    if database.sqlite_path is not None:
        with contextlib.closing(sqlite3.connect(database.sqlite_path)) as connection:
            rows = connection.execute("SELECT kind, COUNT(*) FROM interaction GROUP BY kind")
            kinds = Counter({str(kind): int(count) for kind, count in rows.fetchall()})
            replies, outbox = connection.execute(
                REPLIES_SQL.format(length="json_array_length")
            ).fetchone()
    else:
        connection = await asyncpg.connect(pg_dsn(server, database.pg_name), timeout=5)
        try:
            records = await connection.fetch(
                "SELECT kind, COUNT(*) AS n FROM interaction GROUP BY kind"
            )
            replies, outbox = await connection.fetchrow(
                REPLIES_SQL.format(length="jsonb_array_length")
            )
        finally:
            await connection.close()
        kinds = Counter({str(r["kind"]): int(r["n"]) for r in records})
    return sum(kinds.values()), kinds, int(replies), int(outbox)


class Server:
    """`clixchat serve` in its own session (so its workers can be told apart and stopped)."""

    def __init__(self, database: Database, api_url: str, folder: Path) -> None:
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"serve-{database.kind}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CLIXCHAT", "TELEGRAM"))},
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CLIXCHAT_SECRET": "bench-pseudonym-key-" + uuid.uuid4().hex,
            "DATABASE_URL": database.url,
            "FLOWS_DIR": str(FLOWS),
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = [str(CLIXCHAT), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.database.workers)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while True:
                if self.process.poll() is not None:
                    raise SystemExit(f"clixchat serve exited:\n{self.log_tail()}")
                if time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"clixchat serve did not come up in 60 s:\n{self.log_tail()}")
                started = self.log().count("Application startup complete")
                if started >= self.database.workers:
                    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                        async with http.get(f"{self.url}/healthz") as response:
                            health = await response.json()
                            if response.status == 200 and health.get("telegram"):
                                return
                await asyncio.sleep(0.2)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def problems(self) -> Counter[str]:
        """The server log's lines other than uvicorn's and the app's INFO lines, by start.

        (uvicorn's spawned workers have no logging setup of their own: their warnings come
        out as bare messages, without a level.)"""
        found: Counter[str] = Counter()
        for line in self.log().splitlines():
            if not line.strip() or line.startswith("INFO:") or " INFO " in line:
                continue
            for level in (" WARNING ", " ERROR ", " CRITICAL "):
                line = line.split(level, 1)[1] if level in line else line
            found[line[:90]] += 1
        return found

    def stop(self, timeout: float = 40) -> float:
        """SIGTERM, as systemd would; SIGKILL for its whole session after `timeout` s."""
        process = self.process
        if process is None or process.poll() is not None:
            return 0.0
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            print(f"  clixchat serve did not stop in {timeout:.0f} s: killed")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # a worker left behind, if any
        return time.monotonic() - started


# ---------------------------------------------------------------------------------------------
# one database
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    phases: list[Phase]
    stored: int
    accepted: int
    kinds_match: bool
    passed: bool


async def run_phase(server: Server, work: Any, phase: Phase) -> Phase:
    """Await the phase's load, noting the CPU each part of the machine used meanwhile."""
    assert server.process is not None
    before = cpu_seconds(server.process.pid)
    started = time.perf_counter()
    await work
    elapsed = time.perf_counter() - started
    after = cpu_seconds(server.process.pid)
    busy = {k: (v - before.get(k, 0.0)) / elapsed for k, v in after.items()}
    workers = sorted((v for k, v in busy.items() if k.startswith("server ")), reverse=True)
    phase.cpu = {
        "server": sum(workers),
        "postgres": busy["postgres"],
        "bench": busy["bench"],
    }
    # anything else busy on the machine skews the figures
    phase.cpu["other"] = max(0.0, busy["machine"] - sum(phase.cpu.values()))
    phase.workers = [v for v in workers if v >= 0.05]
    return phase


def print_phase(phase: Phase) -> None:
    cpu = " ".join(f"{k} {v:.2f}" for k, v in phase.cpu.items() if v >= 0.005)
    if len(phase.workers) > 1:
        cpu = cpu.replace(
            f"server {phase.cpu['server']:.2f}",
            f"server {phase.cpu['server']:.2f} ({'+'.join(f'{v:.2f}' for v in phase.workers)})",
        )
    errors = str(phase.errors)
    if phase.errors:
        detail = ", ".join(
            f"{s or 'no answer'}: {n}" for s, n in phase.statuses.items() if s != 200
        )
        errors += f" ({detail})"
    share = 100 * phase.in_body / phase.accepted if phase.accepted else 0.0
    print(
        f"  {phase.name:26} {phase.sent:7} {errors:>7} {phase.rate:9.0f} "
        f"{phase.percentile(50):7.1f} {phase.percentile(90):7.1f} {phase.percentile(99):7.1f} "
        f"{share:7.1f}%   {cpu}"
        + (f"  ({phase.skipped} due while all were busy)" if phase.skipped else ""),
        flush=True,
    )


async def one_database(
    database: Database, args: argparse.Namespace, api: BotApiDouble, folder: Path
) -> Outcome:
    server = Server(database, api.url, folder)
    workers = f"{database.workers} worker{'s' if database.workers > 1 else ''}"
    print(f"\n{database.kind}, {workers} (clixchat serve on {server.url})", flush=True)
    await server.start()
    sent_before = len(api.calls)
    people = participants(args.participants)
    phases: list[Phase] = []
    try:
        connector = aiohttp.TCPConnector(limit=args.concurrency, limit_per_host=args.concurrency)
        timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            load = Load(http, f"{server.url}/bot/", people)
            print(
                f"  {'phase':26} {'updates':>7} {'errors':>7} {'updates/s':>9} "
                f"{'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'in body':>8}   CPU cores busy",
                flush=True,
            )
            walk = Phase(f"walk: {len(people)} participants")
            work = load.closed(walk, args.concurrency, one_walk=True, seconds=args.walk_limit)
            phases.append(await run_phase(server, work, walk))
            print_phase(walk)
            offered = Phase(f"open loop {args.rate:.0f}/s, {args.seconds:.0f} s")
            work = load.open(offered, args.rate, args.seconds)
            phases.append(await run_phase(server, work, offered))
            print_phase(offered)
            peak = Phase(f"max throughput, {args.seconds:.0f} s")
            work = load.closed(peak, args.concurrency, one_walk=False, seconds=args.seconds)
            phases.append(await run_phase(server, work, peak))
            print_phase(peak)
        count, kinds, replies, outbox_rows = await stored(database, args.postgres)
    finally:
        outbox_sent = len(api.calls) - sent_before
        stopped_in = server.stop()
        problems = server.problems()
    accepted = sum(p.accepted for p in phases)
    expected: Counter[str] = Counter()
    for phase in phases:
        expected.update(phase.kinds)
    kinds_match = kinds == expected
    p99 = offered.percentile(99)
    latency_ok = p99 < TARGET_P99_MS and offered.errors == 0 and offered.skipped == 0
    rate_ok = peak.rate >= TARGET_RATE and peak.errors == 0
    count_ok = count == accepted
    outbox_ok = outbox_rows == replies
    print(
        f"  target p99 < {TARGET_P99_MS:.0f} ms at {args.rate:.0f}/s: {p99:.1f} ms "
        f"{'PASS' if latency_ok else 'FAIL'}"
    )
    print(
        f"  target >= {TARGET_RATE:,.0f} updates/s at {args.concurrency} connections: "
        f"{peak.rate:,.0f}/s {'PASS' if rate_ok else 'FAIL'}"
    )
    print(
        f"  stored interactions {count:,} = updates accepted {accepted:,}: "
        f"{'PASS' if count_ok else 'FAIL'}; kinds as the walks predict: "
        f"{'yes' if kinds_match else f'NO (stored {dict(kinds)}, expected {dict(expected)})'}"
    )
    print(
        f"  outbox rows {outbox_rows:,} = replies the interactions record {replies:,}: "
        f"{'PASS' if outbox_ok else 'FAIL'}"
    )
    print(
        f"  outbox: {outbox_sent:,} Bot API calls reached the double during the run "
        f"(the rest of the replies were still queued at shutdown; serve stopped in "
        f"{stopped_in:.1f} s)"
    )
    if problems:
        print("  server log warnings/errors:")
        for line, n in problems.most_common(6):
            print(f"    {n:6} x {line}")
    passed = latency_ok and rate_ok and count_ok and kinds_match and outbox_ok
    return Outcome(database.kind, phases, count, accepted, kinds_match, passed)


async def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of the open-loop and max phases"
    )
    parser.add_argument("--rate", type=float, default=500.0, help="offered updates/s, open loop")
    parser.add_argument(
        "--walk-limit", type=float, default=60.0, help="the walk phase stops after this many s"
    )
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--logs", help="keep the servers' logs (and the SQLite file) here")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "CLIXCHAT_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    unknown = set(kinds) - {"sqlite", "postgres"}
    if unknown or not kinds:
        parser.error(f"--databases takes sqlite,postgres (not {', '.join(sorted(unknown))})")
    if args.participants < args.concurrency:
        parser.error("--participants must be at least --concurrency")
    check_walks()
    walk_lengths = [len(w) for w in [*ENGLISH.values(), *HINDI.values()]]
    print(
        f"{args.participants} participants walking flows/clix-teachers.json "
        f"({min(walk_lengths)}-{max(walk_lengths)} updates a walk, 1 in 5 in Hindi), "
        f"{args.concurrency} connections, real update JSON to POST /bot/; "
        f"{os.cpu_count()} CPUs"
    )
    before = cpu_seconds(-1)["machine"]
    await asyncio.sleep(1.0)
    idle_busy = cpu_seconds(-1)["machine"] - before
    if idle_busy > 0.25:
        print(
            f"warning: {idle_busy:.2f} CPU cores were busy before the bench started; "
            "close other programs for comparable figures"
        )
    outcomes: list[Outcome] = []
    api = BotApiDouble(token=TOKEN, strict=False).start()
    try:
        with tempfile.TemporaryDirectory(prefix="clixchat-webhook-") as tmp:
            folder = Path(args.logs) if args.logs else Path(tmp)
            folder.mkdir(parents=True, exist_ok=True)
            for kind in kinds:
                if kind == "sqlite":
                    path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
                    database: Database | None = Database("sqlite", f"sqlite://{path}", 1, path)
                else:
                    database = await create_postgres(args.postgres)
                if database is None:
                    continue
                try:
                    outcomes.append(await one_database(database, args, api, folder))
                finally:
                    if database.pg_name is not None:
                        await drop_postgres(args.postgres, database.pg_name)
    finally:
        api.stop()
    ok = bool(outcomes) and all(o.passed for o in outcomes)
    summary = ", ".join(f"{o.kind} {'PASS' if o.passed else 'FAIL'}" for o in outcomes)
    print(f"\nwebhook bench: {summary or 'nothing ran'} -> {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

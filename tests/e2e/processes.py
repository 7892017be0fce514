"""Real `clixchat serve` processes against the Bot API double, for the delivery fault tests.

Each process runs in its own process group (so `kill -9` takes uvicorn's workers with it) and is
stopped by PID; every wait is bounded. Users walk the helpdesk flow the way Telegram delivers
updates: one user's updates in order, each posted again until it gets a 2xx.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from engine.storage.privacy import Privacy
from tests.e2e.stack import FIXTURES, SECRET, TOKEN
from tests.support import updates as u

PSEUDONYM_KEY = "delivery-faults"
WALK = ["/start", "Modules", "Back", "Profile", "12", "Modules", "Restart"]
"""One round of the helpdesk flow: 1, 2, 1, 1, 2, 2 and 1 replies."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def flows_dir(folder: Path) -> Path:
    flows = folder / "flows"
    flows.mkdir(exist_ok=True)
    document = json.loads((FIXTURES / "helpdesk.json").read_text(encoding="utf-8"))
    (flows / "helpdesk.json").write_text(json.dumps(document), encoding="utf-8")
    return flows


def environment(folder: Path, database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CERT_"))}
    env.update(
        CLIXCHAT_OUTBOX_POLL="0.05",
        CLIXCHAT_SCHEDULER_RETRY="0.5",
    )
    env.update(
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        WEBHOOK_SECRET=SECRET,
        CLIXCHAT_SECRET=PSEUDONYM_KEY,
        DATABASE_URL=database_url,
        FLOWS_DIR=str(flows_dir(folder)),
        BACKUP_DIR=str(folder / "backups"),
        **extra,
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """kill -9 of the whole process group (uvicorn and its workers)."""
        if self.alive:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, limit: float = 30.0) -> float:
        """SIGTERM (what systemd sends); returns how long the exit took."""
        started = time.monotonic()
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"serve did not exit within {limit:g} s of SIGTERM") from None
        return time.monotonic() - started


def start_server(
    folder: Path, env: dict[str, str], name: str, workers: int = 1, port: int | None = None
) -> Server:
    port = port or free_port()
    log = folder / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "engine.cli.main", "serve", "--port", str(port)]
            + (["--workers", str(workers)] if workers > 1 else []),
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while True:
        if not server.alive:
            raise AssertionError(f"serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise AssertionError("serve did not answer /healthz within 60 s")
        time.sleep(0.1)


def upgrade(database_url: str, folder: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "CLIXCHAT_SECRET": PSEUDONYM_KEY}
    subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "db", "upgrade"],
        env=env,
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=120,
    )


@dataclass
class Load:
    """Users walking the flow; each update posted again (Telegram-style) until it gets a 2xx."""

    users: Sequence[int]
    rounds: int = 2
    duplicates: float = 0.0
    """Share of updates Telegram delivers a second time after their 2xx."""
    accepted: int = 0
    refused: int = 0
    answers: list[int] = field(default_factory=list)

    def updates(self, user: int) -> list[dict[str, Any]]:
        ids = u.UpdateIds(user * 1000)
        walk = WALK * self.rounds
        return [
            u.command(ids, user, text) if text.startswith("/") else u.message(ids, user, text)
            for text in walk
        ]

    async def run(self, targets: Callable[[int], str], limit: float = 120.0) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        deadline = time.monotonic() + limit
        async with httpx.AsyncClient(timeout=5) as http:

            async def post(url: str, update: dict[str, Any]) -> bool:
                try:
                    response = await http.post(f"{url}/bot/", json=update, headers=headers)
                except httpx.HTTPError:
                    return False
                self.answers.append(response.status_code)
                return response.status_code < 300

            async def walk(user: int) -> None:
                for number, update in enumerate(self.updates(user)):
                    while not await post(targets(number), update):
                        self.refused += 1
                        if time.monotonic() > deadline:
                            raise AssertionError("updates still refused at the time limit")
                        await asyncio.sleep(0.2)
                    self.accepted += 1
                    if self.duplicates and (user + number) % round(1 / self.duplicates) == 0:
                        await post(targets(number + 1), update)  # a redelivered duplicate

            await asyncio.gather(*(walk(user) for user in self.users))


def pseudonym(user: int) -> str:
    return Privacy(PSEUDONYM_KEY).pseudonym("telegram", user)


def collapse(items: Sequence[str]) -> list[str]:
    """Adjacent repeats made one (a call in flight at a kill may arrive twice, in a row)."""
    out: list[str] = []
    for item in items:
        if not out or out[-1] != item:
            out.append(item)
    return out


def most_in_window(times: Sequence[float], window: float = 1.0) -> int:
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] < moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best

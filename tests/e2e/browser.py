"""The real app without a Telegram token (so the web simulator is on), and Debian's Chromium.

The browser is the system's /usr/bin/chromium (`.ci/install-browser` installs it); Playwright
is only the driver and never downloads a browser of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from engine.serve import build_services
from engine.settings import load_settings
from web.app import Services, create_app

CHROMIUM = Path("/usr/bin/chromium")
FLOWS = Path(__file__).resolve().parents[2] / "flows"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Simulator:
    url: str
    services: Services


@asynccontextmanager
async def simulator_app(tmp_path: Path) -> AsyncIterator[Simulator]:
    """The app as `clixchat serve` builds it with no TELEGRAM_TOKEN, over HTTP on loopback,
    running the repository's own flows/ on a fresh SQLite database."""
    settings = load_settings(
        {
            "CLIXCHAT_SECRET": "e2e-simulator-pseudonym-key",
            "DATABASE_URL": f"sqlite://{tmp_path / 'simulator.db'}",
            "FLOWS_DIR": str(FLOWS),
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
        env_file=None,
    )
    services = build_services(settings)
    assert services.outbox is None, "the simulator is mounted only without a Telegram token"
    app = create_app(services)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Simulator(f"http://127.0.0.1:{port}", services)
    finally:
        server.should_exit = True
        await task

"""The real app without a Telegram token (so the web simulator is on), and Debian's Chromium.

The browser is the system's /usr/bin/chromium (`.ci/install-browser` installs it); Playwright
is only the driver and never downloads a browser of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.service.settings import load_settings
from engine.service.wiring import Services, build_services
from tests.e2e.stack import serving
from web.app import create_app

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
async def simulator_app(tmp_path: Path, flows: Path = FLOWS) -> AsyncIterator[Simulator]:
    """The app as `clixchat serve` builds it with no TELEGRAM_TOKEN, over HTTP on loopback,
    running the repository's own flows/ (or the folder `flows`) on a fresh SQLite database."""
    settings = load_settings(
        {
            "CLIXCHAT_SECRET": "e2e-simulator-pseudonym-key",
            "DATABASE_URL": f"sqlite://{tmp_path / 'simulator.db'}",
            "FLOWS_DIR": str(flows),
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
        env_file=None,
    )
    services = build_services(settings)
    assert services.outbox is None, "the simulator is mounted only without a Telegram token"
    async with serving(create_app(services)) as url:
        yield Simulator(url, services)

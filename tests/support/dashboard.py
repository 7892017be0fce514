"""A dashboard app on a fresh SQLite database with the helpdesk fixture flow, two accounts
(admin `asha`, viewer `vik`) and a scripted set of participants with known positions."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from engine.core.events import Inbound
from engine.service.settings import Settings, load_settings
from engine.storage import accounts, db, schema_upgrade
from engine.storage.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
PASSWORD = "right-password"
RAW_IDS = ("987650001", "987650002", "987650003", "987650004", "987650005", "987650006")

NOW = datetime.now(UTC).replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=10)
# (channel, user) -> (events, when the first is received); events a minute apart.
SCRIPTS: dict[tuple[str, int | str], tuple[list[Inbound], datetime]] = {
    # A: waits at years after a refused answer
    ("telegram", 987650001): ([Inbound.message("/start", "en"), Inbound.message("Profile"),
                               Inbound.message("many")], NOW - timedelta(minutes=30)),
    # B: answers years=3, goes route -> expert -> start and waits there
    ("telegram", 987650002): ([Inbound.message("/start", "hi"), Inbound.message("Profile"),
                               Inbound.message("3")], NOW - timedelta(minutes=25)),
    # C: went to modules ten days ago and never came back: stopped there
    ("telegram", 987650003): ([Inbound.message("/start", "en"), Inbound.message("Modules")],
                              LONG_AGO),
    # D: said goodbye: ended at bye
    ("telegram", 987650004): ([Inbound.message("/start", "en"), Inbound.message("Goodbye")],
                              NOW - timedelta(minutes=20)),
    # E: at feedback, then blocks the bot: stopped there
    ("telegram", 987650005): ([Inbound.message("/start", "en"), Inbound.message("Feedback")],
                              NOW - timedelta(minutes=15)),
    # F: gives feedback, back at start waiting
    ("telegram", 987650006): ([Inbound.message("/start", "en"), Inbound.message("Feedback"),
                               Inbound.message("Great course")], NOW - timedelta(minutes=10)),
    # test participants: console and the web simulator
    ("console", "console"): ([Inbound.message("/start"), Inbound.message("Profile"),
                              Inbound.message("7")], NOW - timedelta(minutes=5)),
    ("web", "sim-1"): ([Inbound.message("/start"), Inbound.message("Feedback"),
                        Inbound.message("test text")], NOW - timedelta(minutes=4)),
}  # fmt: skip


def settings_for(tmp_path: Path) -> Settings:
    flows = tmp_path / "flows"
    flows.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "helpdesk.json", flows / "helpdesk.json")
    return load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'dashboard.db'}",
            "FLOWS_DIR": str(flows),
            "CLIXCHAT_SECRET": "dashboard-test",
            "BACKUP_DIR": str(tmp_path / "backups"),
        },
        env_file=None,
    )


async def make_accounts(url: str) -> None:
    await schema_upgrade.upgrade(url)
    await db.connect(url)
    try:
        await accounts.create("asha", PASSWORD, "admin")
        await accounts.create("vik", PASSWORD, "viewer")
    finally:
        await db.close()


def prepare(settings: Settings) -> None:
    asyncio.run(make_accounts(settings.database_url))


async def script(store: Store) -> None:
    update = 7000
    for (channel, user), (events, start) in SCRIPTS.items():
        for step, event in enumerate(events):
            update += 1
            await store.handle(
                channel, event, user_id=user, chat_id=user if isinstance(user, int) else None,
                update_id=update if channel == "telegram" else None,
                received_at=start + timedelta(minutes=step),
            )  # fmt: skip
    await store.set_active("telegram", 987650005, False)


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    page = client.get("/admin/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    response = client.post(
        "/admin/login",
        data={"username": username, "password": PASSWORD, "csrf": found.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


WALKS = [
    ["/start", "Profile", "{years}"],
    ["/start", "Modules", "Maths"],
    ["/start", "Feedback", "{feedback}"],
    ["/start", "Goodbye"],
    ["/start", "Profile"],
    ["/start", "Modules"],
    ["/start"],
]
FEEDBACK = ["Very useful", "More videos please", "The maths module helped", "Good", "ok"]


async def crowd(store: Store, count: int = 80, seed: int = 9) -> None:
    """More participants over the last three weeks, walking the helpdesk flow in known ways
    (for pages that look like a real deployment's)."""
    import random

    pick = random.Random(seed)
    update = 50_000
    for index in range(count):
        walk = WALKS[pick.randrange(len(WALKS))]
        start = NOW - timedelta(days=pick.randrange(21), hours=pick.randrange(1, 12))
        user = 880_000_000 + index
        language = "hi" if pick.random() < 0.3 else "en"
        for step, raw in enumerate(walk):
            update += 1
            text = raw.format(years=pick.randrange(0, 30), feedback=pick.choice(FEEDBACK))
            await store.handle(
                "telegram", Inbound.message(text, language if step == 0 else None),
                user_id=user, chat_id=user, update_id=update,
                received_at=start + timedelta(minutes=step),
            )  # fmt: skip

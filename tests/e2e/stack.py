"""The real app over HTTP on loopback, talking to the Bot API test double."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from engine.service.settings import load_settings
from engine.service.wiring import Services, build_services
from tests.support.botapi_double import BotApiDouble
from web.app import create_app

TOKEN = "123456:TEST-token_for_the_double"
TIME_SCALE = 10
"""The outbox's clock runs this much faster in e2e tests: Telegram's 1 message/s per chat and
retry_after waits pass in tenths of a second, with every limit unchanged in the clock's seconds."""
SECRET = "e2e-webhook-secret_0123456789"
FIXTURES = Path(__file__).parents[1] / "fixtures"


@dataclass(frozen=True)
class Reply:
    method: str
    text: str
    markup: dict[str, Any] | None

    @property
    def labels(self) -> list[str]:
        if not self.markup:
            return []
        rows = self.markup.get("keyboard") or self.markup.get("inline_keyboard") or []
        return [button["text"] for row in rows for button in row]


@dataclass
class Stack:
    api: BotApiDouble
    http: httpx.AsyncClient
    services: Services
    url: str
    db_path: Path

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return await self.http.post(f"{self.url}/bot/", json=update, headers=headers)

    async def say(self, update: dict[str, Any], chat_id: int, expect: int = 1) -> list[Reply]:
        """Post an update and collect the bot's replies, whether they ride in the webhook
        response body or go out through the outbox (when the chat's rate limit is spent)."""
        before = len(self.api.sent(chat_id))
        response = await self.post(update)
        assert response.status_code == 200, response.text
        replies: list[Reply] = []
        if response.content:
            body = response.json()
            replies.append(
                Reply(
                    body["method"],
                    body.get("text") or body.get("caption") or "",
                    body.get("reply_markup"),
                )
            )
        missing = expect - len(replies)
        if missing > 0:
            await self.api.wait_for(
                lambda api: len(api.sent(chat_id)) >= before + missing, timeout=10
            )
            for call in self.api.sent(chat_id)[before : before + missing]:
                replies.append(Reply(call.method, call.text or "", call.reply_markup))
        return replies

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Read the app's SQLite database directly (a second connection; WAL allows it)."""
        with sqlite3.connect(self.db_path) as connection:
            return list(connection.execute(sql).fetchall())

    def count(self, table: str) -> int:
        return int(self.rows(f'SELECT COUNT(*) FROM "{table}"')[0][0])

    def active(self) -> bool:
        return bool(self.rows("SELECT active FROM participant")[0][0])

    async def unsent(self) -> int:
        """Outbox rows not yet sent (queued, or claimed by the sender), read by the app."""
        backlog = await self.services.outbox_backlog()
        assert backlog is not None, "the outbox table could not be read"
        return backlog[0]

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until the outbox table holds nothing unsent and nothing is in flight."""
        outbox = self.services.outbox
        assert outbox is not None
        deadline = asyncio.get_running_loop().time() + timeout
        while await self.unsent() or outbox.chats():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("outbox did not drain")
            await asyncio.sleep(0.02)


def flow_dir(tmp_path: Path, keyboard: str = "reply") -> Path:
    folder = tmp_path / "flows"
    folder.mkdir(exist_ok=True)
    document = json.loads((FIXTURES / "helpdesk.json").read_text(encoding="utf-8"))
    document["keyboard"] = keyboard
    (folder / "helpdesk.json").write_text(
        json.dumps(document, ensure_ascii=False), encoding="utf-8"
    )
    return folder


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Run the real app under uvicorn on a free loopback port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def running_stack(
    tmp_path: Path, keyboard: str = "reply", **env: str
) -> AsyncIterator[Stack]:
    async with BotApiDouble(token=TOKEN, strict=False) as api:
        settings = load_settings(
            {
                "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_API_URL": api.url,
                "WEBHOOK_SECRET": SECRET,
                "CLIXCHAT_SECRET": "e2e-pseudonym-key",
                "DATABASE_URL": f"sqlite://{tmp_path / 'e2e.db'}",
                "FLOWS_DIR": str(flow_dir(tmp_path, keyboard)),
                "CLIXCHAT_TIME_SCALE": str(TIME_SCALE),
                **env,
            },
            env_file=None,
        )
        services = build_services(settings)
        async with serving(create_app(services)) as url, httpx.AsyncClient(timeout=10) as http:
            yield Stack(api, http, services, url, tmp_path / "e2e.db")
        shutil.rmtree(tmp_path / "flows", ignore_errors=True)

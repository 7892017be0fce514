"""End to end in a real browser: the web simulator page, driven in Debian's headless Chromium.

The app runs without a Telegram token (so /simulator is mounted) on the repository's own
flows/clix-teachers.json. Screenshots go to tmp_path, or to the folder named by
CLIXCHAT_SCREENSHOTS (`CLIXCHAT_SCREENSHOTS=docs/screenshots` refreshes the documentation's).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, FLOWS, Simulator, simulator_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: run .ci/install-browser (apt-get install chromium)",
)

FLOW: dict[str, Any] = json.loads((FLOWS / "clix-teachers.json").read_text(encoding="utf-8"))
NODES: dict[str, Any] = FLOW["nodes"]
BOT = "#chat .msg.bot"
YOU = "#chat .msg.you"
KEYS = "#keyboard button"


def say(node: str, language: str = "en") -> str:
    """A node's text as the flow writes it (the nodes used here say one text)."""
    return str(NODES[node]["say"][language])


def labels(node: str, language: str = "en", *nav: str) -> list[str]:
    """A node's reply keyboard: its choices, then the navigation row's labels."""
    choices = [str(choice["label"][language]) for choice in NODES[node]["choices"]]
    return choices + [str(FLOW["labels"][key][language]) for key in nav]


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CLIXCHAT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Chat:
    """The simulator page in the browser, with waits that follow the bot's turns."""

    def __init__(self, page: Page, url: str) -> None:
        self.page, self.url = page, url
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                self.errors.append(f"HTTP {response.status} {response.url}")
                if response.status >= 400 and not response.url.endswith("/favicon.ico")
                else None
            ),
        )

    async def bot_count(self) -> int:
        return int(await self.page.locator(BOT).count())

    async def turn(self, action: Callable[[], Awaitable[Any]], fresh: bool = False) -> list[str]:
        """Do something and return the texts of the bot's bubbles it brought (all of them
        when the action starts a fresh transcript: a page load, "New participant")."""
        before = 0 if fresh else await self.bot_count()
        await action()
        await self.page.wait_for_function(
            "n => document.querySelectorAll('#chat .msg.bot').length > n", arg=before
        )
        texts: list[str] = await self.page.locator(BOT).all_text_contents()
        return texts[before:]

    async def open(self) -> list[str]:
        """Load (or reload) the page: it sends /start by itself."""
        return await self.turn(lambda: self.page.goto(f"{self.url}/simulator"), fresh=True)

    async def reload(self) -> list[str]:
        return await self.turn(self.page.reload, fresh=True)

    async def new_participant(self) -> list[str]:
        return await self.turn(lambda: self.page.click("#reset"), fresh=True)

    async def tap(self, label: str) -> list[str]:
        return await self.turn(lambda: self.page.locator(KEYS, has_text=label).click())

    async def type(self, text: str, enter: bool = False) -> list[str]:
        async def send() -> None:
            await self.page.fill("#text", text)
            if enter:
                await self.page.press("#text", "Enter")
            else:
                await self.page.click("#composer button[type=submit]")

        return await self.turn(send)

    async def keys(self) -> list[str]:
        return [t.strip() for t in await self.page.locator(KEYS).all_text_contents()]

    async def mine(self) -> list[str]:
        return [t.strip() for t in await self.page.locator(YOU).all_text_contents()]

    async def session(self) -> str:
        return str(await self.page.evaluate("localStorage.getItem('clixchat-session')"))

    async def glyphs_differ(self, a: str, b: str) -> bool:
        """Whether two characters draw differently in the page's font (missing glyphs all
        draw the same box, so two distinct letters drawing alike means a missing font)."""
        return bool(
            await self.page.evaluate(
                """([a, b]) => {
                    const font = getComputedStyle(document.body).font;
                    const draw = (ch) => {
                        const c = document.createElement("canvas");
                        c.width = 64; c.height = 64;
                        const g = c.getContext("2d");
                        g.font = font.replace(/\\d+(\\.\\d+)?px/, "40px");
                        g.fillText(ch, 8, 48);
                        return Array.from(g.getImageData(0, 0, 64, 64).data).join();
                    };
                    return draw(a) !== draw(b);
                }""",
                [a, b],
            )
        )


@asynccontextmanager
async def browser(tmp_path: Path) -> AsyncIterator[tuple[Chat, Simulator]]:
    """The app and a fresh headless Chromium (a new, empty profile) with the simulator open."""
    async with simulator_app(tmp_path) as app, async_playwright() as driver:
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 900, "height": 800},
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        try:
            tab = context.pages[0] if context.pages else await context.new_page()
            page = Chat(tab, app.url)
            yield page, app
            assert page.errors == []
        finally:
            await context.close()


def participants(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "simulator.db") as connection:
        return int(connection.execute("SELECT COUNT(*) FROM participant").fetchone()[0])


async def test_greeting_menu_typing_and_back_in_english(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        assert await page.open() == [say("start")]
        assert await page.mine() == ["/start"]
        assert await page.keys() == labels("start")
        assert await page.page.locator("#language").input_value() == "en"
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-en.png"))

        assert await page.tap("CLIx modules") == [say("modules")]
        assert await page.keys() == labels("modules", "en", "back", "restart")

        assert await page.type("Mathematics") == [say("maths_menu")]  # typed, not tapped
        assert await page.page.locator("#text").input_value() == ""  # the input is cleared
        assert await page.keys() == labels("maths_menu", "en", "back", "restart")

        assert await page.tap("Back") == [say("modules")]
        assert await page.type("1", enter=True) == [say("maths_menu")]  # a choice's number
        assert await page.tap("Main menu") == [say("start")]
        assert await page.keys() == labels("start")
        assert await page.mine() == [
            "/start",
            "CLIx modules",
            "Mathematics",
            "Back",
            "1",
            "Main menu",
        ]


async def test_language_switch_to_hindi(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        await page.open()
        await page.tap("CLIx modules")
        assert await page.type("/language") == ["Choose your language:"]
        assert await page.keys() == ["English", "हिन्दी"]
        assert await page.tap("हिन्दी") == ["भाषा हिन्दी कर दी गई है।", say("modules", "hi")]
        assert await page.keys() == labels("modules", "hi", "back", "restart")
        assert await page.glyphs_differ("क", "ख"), (
            "Devanagari draws as boxes: install a Devanagari font (.ci/install-browser)"
        )
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-hi.png"))

        # The phone's language decides for a new participant: changing it starts over.
        assert await page.new_participant() == [say("start")]
        await page.page.select_option("#language", "hi")
        await page.page.wait_for_function("document.querySelectorAll('.msg.bot').length >= 1")
        assert await page.new_participant() == [say("start", "hi")]
        assert await page.mine() == ["/start"]
        assert await page.keys() == labels("start", "hi")


async def test_reload_keeps_the_session_and_new_participant_starts_over(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        await page.open()
        first = await page.session()
        assert first.startswith("sim-") and 8 <= len(first) <= 64
        await page.type("/language")
        await page.tap("हिन्दी")

        # Same participant after a reload: Hindi, though the phone-language select says English.
        assert await page.reload() == [say("start", "hi")]
        assert await page.session() == first
        assert await page.page.locator("#language").input_value() == "en"
        assert participants(tmp_path) == 1

        assert await page.new_participant() == [say("start")]
        assert await page.session() not in ("", first)
        assert await page.mine() == ["/start"]  # the transcript is cleared
        assert await page.keys() == labels("start")
        assert participants(tmp_path) == 2


async def test_the_chat_scrolls_to_the_last_message(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        await page.open()
        await page.tap("About CLIx")
        # help_bot goes on to start: a turn of two messages, and a new 8-button keyboard
        assert await page.tap("How to use this bot") == [say("help_bot"), say("start")]
        hidden = await page.page.evaluate(
            "(() => { const c = document.getElementById('chat');"
            " return c.scrollHeight - c.scrollTop - c.clientHeight; })()"
        )
        assert hidden <= 1, f"the last {hidden}px of the chat are scrolled out of view"

"""End to end in a real browser: the web simulator page, driven in Debian's headless Chromium.

The app runs without a Telegram token (so /simulator is mounted) on a copy of the repository's
flows/ plus a second flow (`quiz`: two languages, an entry point, a timeout), in a temporary
FLOWS_DIR that a test may break. Screenshots go to tmp_path, or to the folder named by
CLIXCHAT_SCREENSHOTS (`CLIXCHAT_SCREENSHOTS=docs/screenshots` refreshes the documentation's).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright

from engine.core.flow import revision_of
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, FLOWS, Simulator, simulator_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: run .ci/install-browser (apt-get install chromium)",
)

FLOW: dict[str, Any] = json.loads((FLOWS / "clix-teachers.json").read_text(encoding="utf-8"))
NODES: dict[str, Any] = FLOW["nodes"]
QUIZ_FILE = Path(__file__).parents[1] / "fixtures" / "simulator-quiz.json"
QUIZ: dict[str, Any] = json.loads(QUIZ_FILE.read_text(encoding="utf-8"))
BOT = "#chat .msg.bot"
YOU = "#chat .msg.you"
NOTE = "#chat .msg.note"
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

    async def turn(self, action: Callable[[], Awaitable[Any]]) -> list[str]:
        """Do something and return the texts of the bot's bubbles it brought."""
        before = await self.bot_count()
        await action()
        await self.page.wait_for_function(
            "n => document.querySelectorAll('#chat .msg.bot').length > n", arg=before
        )
        await self.settled()
        texts: list[str] = await self.page.locator(BOT).all_text_contents()
        return texts[before:]

    async def settled(self) -> None:
        """Wait for the page's queued requests to finish (the machine panel is updated)."""
        await self.page.wait_for_load_state("networkidle")

    async def open(self) -> list[str]:
        """Load the page: a first visit starts a participant at the main flow's start."""
        await self.page.goto(f"{self.url}/simulator")
        await self.page.wait_for_selector(BOT)
        await self.settled()
        return [t.strip() for t in await self.page.locator(BOT).all_text_contents()]

    async def reload(self) -> list[str]:
        await self.page.reload()
        await self.page.wait_for_selector(BOT)
        await self.settled()
        return [t.strip() for t in await self.page.locator(BOT).all_text_contents()]

    async def start(self, flow: str = "", entry: str = "", language: str = "") -> list[str]:
        """Pick in the machine panel and start as a new participant; the bot's bubbles."""
        if flow:
            await self.page.select_option("#flow", flow)
        if entry:
            await self.page.select_option("#entry", entry)
        if language:
            await self.page.select_option("#language", language)
        before = await self.session()
        await self.page.click("#start")
        await self.page.wait_for_function(
            "s => localStorage.getItem('clixchat-session') !== s"
            " && document.querySelectorAll('#chat .msg.bot').length > 0",
            arg=before,
        )
        await self.settled()
        return [t.strip() for t in await self.page.locator(BOT).all_text_contents()]

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

    async def notes(self) -> list[str]:
        return [t.strip() for t in await self.page.locator(NOTE).all_text_contents()]

    async def session(self) -> str:
        return str(await self.page.evaluate("localStorage.getItem('clixchat-session')"))

    async def field(self, name: str) -> str:
        return (await self.page.locator(f"#state-{name}").inner_text()).strip()

    async def variables(self) -> dict[str, str]:
        rows = self.page.locator("#variables tbody tr")
        names = await rows.locator("th").all_text_contents()
        values = await rows.locator("td").all_text_contents()
        return dict(zip(names, values, strict=True))

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


def flows_copy(tmp_path: Path) -> Path:
    """flows/ and the quiz flow in a folder of the test's own (which it may break)."""
    folder = tmp_path / "flows"
    shutil.copytree(FLOWS, folder, ignore=shutil.ignore_patterns("tests"))
    shutil.copy(QUIZ_FILE, folder / "quiz.json")
    return folder


@asynccontextmanager
async def browser(
    tmp_path: Path, width: int = 900, height: int = 800
) -> AsyncIterator[tuple[Chat, Simulator]]:
    """The app and a fresh headless Chromium (a new, empty profile) with the simulator open."""
    async with (
        simulator_app(tmp_path, flows_copy(tmp_path)) as app,
        async_playwright() as driver,
    ):
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
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


def count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "simulator.db") as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def test_greeting_menu_typing_and_back_in_english(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        assert await page.open() == [say("start")]
        assert await page.notes() == ["▶ started at clix-teachers:start"]
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
        assert await page.mine() == ["CLIx modules", "Mathematics", "Back", "1", "Main menu"]


async def test_language_switch_to_hindi(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        await page.open()
        await page.tap("CLIx modules")
        assert await page.type("/language") == ["Choose your language:"]
        assert await page.keys() == ["English", "हिन्दी"]
        assert await page.tap("हिन्दी") == ["भाषा हिन्दी कर दी गई है।", say("modules", "hi")]
        assert await page.keys() == labels("modules", "hi", "back", "restart")
        assert await page.field("language") == "hi"
        assert await page.glyphs_differ("क", "ख"), (
            "Devanagari draws as boxes: install a Devanagari font (.ci/install-browser)"
        )
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-hi.png"))

        # The language picked in the machine panel is the new participant's.
        assert await page.start(language="hi") == [say("start", "hi")]
        assert await page.mine() == []
        assert await page.keys() == labels("start", "hi")


async def test_pick_a_flow_and_language_answer_and_watch_the_machine(tmp_path: Path) -> None:
    quiz = QUIZ["nodes"]
    async with browser(tmp_path) as (page, _):
        await page.open()
        assert await page.field("node") == "start" and await page.field("kind") == "choices"
        assert await page.page.locator("#flow option").all_text_contents() == [
            "CLIx Teacher Helpdesk (clix-teachers)",
            "Quick quiz (quiz)",
        ]
        await page.page.select_option("#flow", "quiz")  # the entry points and languages follow
        assert await page.page.locator("#entry option").all_inner_texts() == [
            "start (start)",
            "age",
        ]
        assert await page.page.locator("#language option").all_inner_texts() == [
            "English (en)",
            "मराठी (mr)",
        ]
        assert await page.start("quiz", "start", "mr") == [quiz["start"]["say"]["mr"]]
        assert await page.field("node") == "start" and await page.field("kind") == "choices"
        assert await page.field("revision") == f"v3 · {revision_of(QUIZ)[:12]}"
        assert await page.field("language") == "mr"
        assert await page.page.locator("#fire-timeout").is_disabled()
        assert await page.variables() == {}

        assert await page.tap("चला") == [quiz["age"]["say"]["mr"]]
        assert await page.field("node") == "age" and await page.field("kind") == "ask · integer"
        assert await page.field("timeout") == "after 30m → nudge"
        assert await page.page.locator("#fire-timeout").is_enabled()

        await page.type("7")
        assert await page.field("node") == "school" and await page.field("kind") == "ask · text"
        assert await page.variables() == {"years": "7"}
        assert await page.page.locator("#variables tr.changed th").all_inner_texts() == ["years"]
        assert await page.page.locator("#fire-timeout").is_disabled()
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-machine.png"))

        await page.type("Govt. School Nashik")
        assert await page.field("kind") == "end"
        assert await page.variables() == {"school": "Govt. School Nashik", "years": "7"}


async def test_fire_the_waiting_nodes_timeout(tmp_path: Path) -> None:
    quiz = QUIZ["nodes"]
    async with browser(tmp_path) as (page, _):
        await page.open()
        assert await page.page.locator("#fire-timeout").is_disabled()  # start has no timeout
        assert await page.start("quiz", "age", "en") == [quiz["age"]["say"]["en"]]
        assert await page.notes() == ["▶ started at quiz:age"]
        fired = await page.turn(lambda: page.page.click("#fire-timeout"))
        assert fired == [quiz["nudge"]["say"]["en"]]
        assert await page.notes() == ["▶ started at quiz:age", "⏰ timeout fired at quiz:age"]
        assert await page.field("node") == "nudge"
        assert await page.page.locator("#fire-timeout").is_disabled()
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-timeout.png"))


async def test_local_media_is_previewed(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        await page.open()
        await page.tap("Teacher resources")
        await page.tap("Moon phases chart")
        image = page.page.locator("#chat .media.photo img").last
        await page.page.wait_for_function(
            "() => { const i = document.querySelector('#chat .media.photo img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        assert await image.get_attribute("src") == "/simulator/media/media/moon-phases.png"
        await page.tap("Another resource")
        await page.tap("Maths handbook (PDF)")
        link = page.page.locator("#chat .media.document a").last
        assert await link.inner_text() == "maths-handbook.pdf"
        pdf = await page.page.request.get(page.url + str(await link.get_attribute("href")))
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        await page.tap("Another resource")
        await page.tap("Pitch demo (audio)")
        audio = page.page.locator("#chat .media.audio a").last
        assert await audio.inner_text() == "sound-pitch-demo.mp3"
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-media.png"))
        refused = await page.page.request.get(page.url + "/simulator/media/media/%2e%2e/quiz.json")
        assert refused.status == 404
        page.errors.clear()  # the refusal above was asked for


async def test_a_reload_keeps_the_conversation(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, _):
        await page.open()
        first = await page.session()
        assert first.startswith("sim-") and 8 <= len(first) <= 64
        await page.tap("Teacher resources")
        await page.tap("Moon phases chart")
        await page.type("/language")
        await page.tap("हिन्दी")
        bots = await page.page.locator(BOT).all_text_contents()
        mine, keys = await page.mine(), await page.keys()
        steps = count(tmp_path, "interaction")

        assert [b.strip() for b in bots] == await page.reload()
        assert await page.session() == first
        assert await page.mine() == mine and await page.keys() == keys
        assert await page.notes() == ["▶ started at clix-teachers:start"]
        assert await page.field("node") == "res_more" and await page.field("language") == "hi"
        assert await page.page.locator("#chat .media.photo img").count() == 1
        assert count(tmp_path, "interaction") == steps  # a reload sends nothing
        assert count(tmp_path, "participant") == 1
        # the conversation goes on where it was
        assert await page.tap(labels("res_more", "hi")[0]) == [say("resources", "hi")]

        assert await page.start() == [say("start", "hi")]
        assert await page.session() not in ("", first)
        assert await page.mine() == []  # the transcript is cleared
        assert count(tmp_path, "participant") == 2


async def test_a_broken_flow_edit_is_shown_on_the_page(tmp_path: Path) -> None:
    async with browser(tmp_path) as (page, app):
        await page.open()
        assert await page.page.locator("#problems").is_hidden()
        quiz = tmp_path / "flows" / "quiz.json"
        good = quiz.read_text(encoding="utf-8")
        quiz.write_text(good.replace('"next": "done"', '"next": "finish"'), encoding="utf-8")
        os.utime(quiz, (1, 1))
        await page.page.wait_for_selector("#problems:not([hidden])", timeout=15_000)
        lines = await page.page.locator("#problem-lines").inner_text()
        assert "quiz.json" in lines and "finish" in lines
        assert app.services.flows.problems and lines.splitlines() == app.services.flows.problems
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-broken.png"))
        # the last good revision still runs
        assert await page.tap("About CLIx") == [say("about_clix")]

        quiz.write_text(good, encoding="utf-8")
        await page.page.wait_for_selector("#problems[hidden]", state="attached", timeout=15_000)


async def test_the_page_fits_a_phone(tmp_path: Path) -> None:
    async with browser(tmp_path, width=390, height=844) as (page, _):
        await page.open()
        await page.tap("Teacher resources")
        await page.tap("Moon phases chart")
        machine = page.page.locator("#machine")
        assert await machine.get_attribute("open") is None  # folded: the chat has the room
        assert await page.page.locator("#summary").inner_text() == "res_more · choices"
        hidden = "(() => { const c = document.getElementById('chat');"
        hidden += " return c.scrollHeight - c.scrollTop - c.clientHeight; })()"
        assert await page.page.evaluate(hidden) <= 1, "the photo pushed the last message down"
        overflow = "document.documentElement.scrollWidth - window.innerWidth"
        assert await page.page.evaluate(overflow) <= 0
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-phone.png"))
        await page.page.click("#machine summary")
        assert await machine.get_attribute("open") is not None
        assert await page.field("node") == "res_more"
        assert await page.page.evaluate(overflow) <= 0
        await asyncio.sleep(0.2)
        await page.page.screenshot(path=str(shots(tmp_path) / "simulator-phone-machine.png"))


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

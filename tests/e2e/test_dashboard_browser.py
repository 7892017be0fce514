"""End to end in Debian's headless Chromium: the dashboard as a viewer and as an admin.

Anonymous visitors, a wrong password, a missing CSRF token and a viewer on the admin pages get
nowhere; every page opens; the chart and the flow diagram render; a funnel number leads to
exactly that many participants; a CSV downloads. Screenshots of every page go to tmp_path, or
to CLIXCHAT_SCREENSHOTS (`CLIXCHAT_SCREENSHOTS=docs/screenshots` refreshes the docs' ones).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from engine.service.wiring import build_services
from engine.storage.job_runs import JobRuns
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.stack import serving
from tests.support import dashboard
from web.app import create_app

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no {CHROMIUM}: run .ci/install-browser (apt-get install chromium)",
)


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CLIXCHAT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Tab:
    """A page that records every failed response and script or CSP error."""

    def __init__(self, page: Page, url: str, shots: Path) -> None:
        self.page, self.url, self.shots = page, url, shots
        self.errors: list[str] = []
        self.failed: set[tuple[int, str]] = set()
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"console: {message.text}")
                if message.type == "error" and "Failed to load resource" not in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                self.failed.add((response.status, response.url.removeprefix(url)))
                if response.status >= 400
                else None
            ),
        )

    async def open(self, path: str, status: int = 200) -> None:
        response = await self.page.goto(self.url + path)
        assert response is not None and response.status == status, path

    async def shot(self, name: str, full: bool = True) -> None:
        await self.page.screenshot(path=str(self.shots / f"dashboard-{name}.png"), full_page=full)


@asynccontextmanager
async def dashboard_app(tmp_path: Path) -> AsyncIterator[tuple[BrowserContext, str]]:
    settings = dashboard.settings_for(tmp_path)
    await asyncio.to_thread(dashboard.prepare, settings)  # in a loop (and Tortoise) of its own
    runs = JobRuns(settings.database_url)
    for job, outcome, detail in [
        ("timeouts", "ok", "fired 0 timeout(s)"),
        ("summaries", "ok", "read 212 interaction(s) into the dashboard's summaries"),
        ("certificates", "ok", "CN=bot.example.org expires 2027-02-20, 78 days left"),
        ("backup", "ok", "backups/clixchat-20261204T020000Z: 14 tables, 3 files"),
    ]:
        run = await runs.start(job, "bot-1:4242", dashboard.NOW - timedelta(minutes=3))
        await runs.finish(run, outcome, detail)
    services = build_services(settings)
    async with serving(create_app(services)) as url, async_playwright() as driver:
        await dashboard.script(services.store)
        await dashboard.crowd(services.store)
        context = await driver.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 800},
            locale="en-US",
            accept_downloads=True,
        )
        context.set_default_timeout(10_000)
        try:
            yield context, url
        finally:
            await context.close()


async def sign_in(tab: Tab, username: str, password: str = dashboard.PASSWORD) -> None:
    await tab.open("/admin/login")
    await tab.page.fill("input[name=username]", username)
    await tab.page.fill("input[name=password]", password)
    await tab.page.click("button[type=submit]")
    await tab.page.wait_for_load_state()


async def test_dashboard_in_a_browser(tmp_path: Path) -> None:
    async with dashboard_app(tmp_path) as (context, url):
        tab = Tab(context.pages[0] if context.pages else await context.new_page(), url,
                  shots(tmp_path))  # fmt: skip
        page = tab.page

        # anonymous: every page leads to the sign-in form; a CSV answers 401
        await tab.open("/admin/participants/")
        assert page.url == f"{url}/admin/login"
        await tab.shot("login", full=False)
        csv_anonymous = await page.request.get(f"{url}/admin/participants.csv")
        assert csv_anonymous.status == 401
        # a wrong password, then a form without its CSRF token, get nowhere
        await sign_in(tab, "vik", "wrong-password")
        assert "Wrong username or password" in await page.locator("[role=alert]").inner_text()
        forged = await page.request.post(
            f"{url}/admin/login",
            form={"username": "vik", "password": dashboard.PASSWORD},
            max_redirects=0,
        )
        assert forged.status == 403
        await tab.open("/admin/flows/")
        assert page.url == f"{url}/admin/login"

        # the viewer
        await sign_in(tab, "vik")
        assert page.url == f"{url}/admin/"
        bars = page.locator("svg.chart rect.bar")
        assert await bars.count() == 30
        box = await page.locator("svg.chart").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 80
        tall = [await bars.nth(i).get_attribute("height") for i in range(30)]
        assert sum(float(h or 0) > 0 for h in tall) >= 10, "the chart draws bars"
        assert await page.locator("nav a", has_text="Accounts").count() == 0
        await tab.shot("overview")

        await tab.open("/admin/flows/")
        await tab.shot("flows")
        await page.click("table a:text-is('helpdesk')")
        diagram = page.locator("#diagram svg")
        await diagram.wait_for()
        assert await page.locator("#diagram svg g.node").count() == 12
        box = await diagram.bounding_box()
        assert box is not None and box["width"] > 300
        assert "reached" in (await page.locator("#diagram svg").text_content() or "")
        await tab.shot("flow")

        # follow a funnel number: exactly that many participants are listed
        row = page.locator("table.funnel tr", has=page.locator("code:text-is('years')"))
        waiting = row.locator("a.count.waiting")
        expected = int(await waiting.inner_text())
        assert expected > 0
        await waiting.click()
        await page.wait_for_url("**/admin/participants/?*state=waiting*")
        assert await page.locator("a.pseudonym").count() == expected
        await tab.shot("participants-waiting")
        # and a node of the diagram leads to those who reached it
        await tab.open("/admin/flows/helpdesk")
        await page.locator("#diagram svg a", has_text="bye").first.click()
        await page.wait_for_url("**state=reached*")
        reached = int(await row_count(tab, "bye", "reached"))
        assert await page.locator("a.pseudonym").count() == reached

        await tab.open("/admin/participants/")
        assert await page.locator("a.pseudonym").count() == 50
        assert await page.locator("a[rel=next]").count() == 1
        await tab.shot("participants")
        async with page.expect_download() as info:
            await page.click("a.button:text('Download CSV')")
        download = await info.value
        saved = tmp_path / "participants.csv"
        await download.save_as(saved)
        raw = saved.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("pseudonym,") and len(lines) == 1 + 6 + 80
        for user in dashboard.RAW_IDS:
            assert user not in raw.decode("utf-8-sig")

        await page.locator("a.pseudonym").first.click()
        await page.wait_for_selector("ol.timeline")
        await tab.shot("participant")
        await tab.open(f"/admin/participants/?flow=helpdesk&var.feedback={dashboard.FEEDBACK[0]}")
        assert await page.locator("a.pseudonym").count() >= 1
        await tab.open("/admin/interactions/")
        await tab.shot("interactions")
        await tab.open("/admin/interactions/?q=course")
        assert await page.locator("tbody tr").count() == 1
        await tab.open("/admin/answers/helpdesk")
        await tab.shot("answers")
        for path in ("/admin/jobs/", "/admin/accounts/"):
            await tab.open(path, 403)

        # a phone
        await page.set_viewport_size({"width": 390, "height": 844})
        await tab.open("/admin/")
        await tab.shot("overview-phone")
        await tab.open("/admin/flows/helpdesk")
        await tab.shot("flow-phone", full=False)
        await page.set_viewport_size({"width": 1200, "height": 800})

        # the admin
        await page.click("header button:text('Sign out')")
        await page.wait_for_url("**/admin/login")
        await sign_in(tab, "asha")
        for path in ("/admin/jobs/", "/admin/accounts/"):
            await tab.open(path)
            await tab.shot(path.strip("/").split("/")[-1])
        assert await page.locator("nav a", has_text="Accounts").count() == 1
        for path in ("/admin/", "/admin/flows/", "/admin/flows/helpdesk", "/admin/participants/",
                     "/admin/interactions/", "/admin/answers/helpdesk"):  # fmt: skip
            await tab.open(path)
        assert tab.errors == []  # no script error, no CSP refusal
        assert tab.failed == {
            (401, "/admin/login"),  # the wrong password
            (403, "/admin/jobs/"),  # the viewer
            (403, "/admin/accounts/"),
        }


async def row_count(tab: Tab, node: str, state: str) -> str:
    """A funnel number, read from the flow page in a second tab."""
    other = await tab.page.context.new_page()
    try:
        await other.goto(f"{tab.url}/admin/flows/helpdesk")
        row = other.locator("table.funnel tr", has=other.locator(f"code:text-is('{node}')"))
        return await row.locator(f"a.count.{state}").inner_text()
    finally:
        await other.close()

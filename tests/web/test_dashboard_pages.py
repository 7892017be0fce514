"""The dashboard's pages and CSV on scripted participants: known funnel counts per node, a known
answers table, test participants left out (and in with include_test=1), pseudonyms only, roles."""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from engine.service.wiring import build_services
from engine.storage.privacy import Privacy
from tests.support import dashboard
from tests.support.dashboard import RAW_IDS, login
from web.app import create_app
from web.dashboard import auth

PAGES = [
    "/admin/", "/admin/flows/", "/admin/flows/helpdesk", "/admin/participants/",
    "/admin/interactions/", "/admin/answers/helpdesk",
]  # fmt: skip
ADMIN_PAGES = ["/admin/jobs/", "/admin/accounts/"]
CSVS = [
    "/admin/flows.csv", "/admin/flows/helpdesk.csv", "/admin/participants.csv",
    "/admin/interactions.csv", "/admin/answers/helpdesk.csv",
]  # fmt: skip
ADMIN_CSVS = ["/admin/jobs.csv", "/admin/accounts.csv"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    auth._failures.clear()
    settings = dashboard.settings_for(tmp_path_factory.mktemp("dashboard"))
    dashboard.prepare(settings)
    services = build_services(settings)
    with TestClient(create_app(services)) as test_client:
        test_client.portal.call(dashboard.script, services.store)  # type: ignore[union-attr]
        PRIVACY.append(services.store.privacy)
        yield test_client


PRIVACY: list[Privacy] = []


def who(user: int | str, channel: str = "telegram") -> str:
    return PRIVACY[-1].pseudonym(channel, user)


def rows(client: TestClient, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf"), "no BOM"
    return list(csv.DictReader(response.content.decode("utf-8-sig").splitlines()))


def funnel(client: TestClient, query: str = "") -> dict[str, tuple[int, int, int, int]]:
    found = rows(client, f"/admin/flows/helpdesk.csv{query}")
    return {
        r["node"]: (int(r["reached"]), int(r["waiting"]), int(r["stopped"]), int(r["ended"]))
        for r in found
        if any(int(r[k]) for k in ("reached", "waiting", "stopped", "ended"))
    }


def test_funnel_counts_per_node(client: TestClient) -> None:
    login(client, "vik")
    # (reached, waiting now, stopped there, ended there)
    assert funnel(client) == {
        "start": (6, 2, 0, 0),  # everyone; B and F wait there now
        "years": (2, 1, 0, 0),  # A and B; A waits (after a refused answer)
        "modules": (1, 0, 1, 0),  # C, ten days ago: stopped
        "feedback": (2, 0, 1, 0),  # E (blocked the bot: stopped) and F
        "bye": (1, 0, 0, 1),  # D ended there
        "route": (1, 0, 0, 0),  # passed through by B (years -> route -> expert -> start)
        "expert": (1, 0, 0, 0),
        "thanks": (1, 0, 0, 0),  # passed through by F (feedback -> thanks -> start)
    }
    with_tests = funnel(client, "?include_test=1")
    assert with_tests["start"] == (8, 4, 0, 0)
    assert with_tests["years"] == (3, 1, 0, 0)
    assert with_tests["feedback"] == (3, 0, 1, 0)
    assert with_tests["expert"] == (2, 0, 0, 0)  # the console answered 7
    # a date range: only what happened since yesterday (C's ten days ago left out)
    since = (dashboard.NOW - timedelta(days=1)).date().isoformat()
    recent = funnel(client, f"?since={since}")
    assert "modules" not in recent and recent["start"][0] == 5


def test_each_funnel_number_links_to_those_participants(client: TestClient) -> None:
    login(client, "vik")
    page = client.get("/admin/flows/helpdesk")
    assert page.status_code == 200
    assert "<svg" in page.text and "reached 6 · waiting 2 · stopped 0" in page.text
    stopped = "/admin/participants.csv?flow=helpdesk&node=feedback&state=stopped"
    assert [r["pseudonym"] for r in rows(client, stopped)] == [who(987650005)]
    reached = "/admin/participants.csv?flow=helpdesk&node=years&state=reached"
    assert {r["pseudonym"] for r in rows(client, reached)} == {who(987650001), who(987650002)}
    waiting = "/admin/participants.csv?flow=helpdesk&node=start&state=waiting"
    assert {r["pseudonym"] for r in rows(client, waiting)} == {who(987650002), who(987650006)}
    link = 'href="/admin/participants/?flow=helpdesk&amp;node=feedback&amp;state=stopped"'
    assert link in page.text


def test_answers_table(client: TestClient) -> None:
    login(client, "vik")
    assert rows(client, "/admin/answers/helpdesk.csv") == [
        {"pseudonym": who(987650006), "years": "", "feedback": "Great course"},
        {"pseudonym": who(987650002), "years": "3", "feedback": ""},
    ]
    with_tests = rows(client, "/admin/answers/helpdesk.csv?include_test=1")
    assert {r["pseudonym"]: r["years"] for r in with_tests}[who("console", "console")] == "7"
    page = client.get("/admin/answers/helpdesk")
    assert "Great course" in page.text and who(987650006)[:12] in page.text


def test_participant_filters_and_keyset_pages(client: TestClient) -> None:
    login(client, "vik")
    assert len(rows(client, "/admin/participants.csv")) == 6
    assert len(rows(client, "/admin/participants.csv?include_test=1")) == 8
    assert [r["pseudonym"] for r in rows(client, "/admin/participants.csv?language=hi")] == [
        who(987650002)
    ]
    assert [r["pseudonym"] for r in rows(client, "/admin/participants.csv?active=0")] == [
        who(987650005)
    ]
    cohort = rows(client, "/admin/participants.csv?var.feedback=Great%20course")
    assert [r["pseudonym"] for r in cohort] == [who(987650006)]
    seen = f"/admin/participants.csv?seen_until={dashboard.LONG_AGO.date().isoformat()}"
    assert [r["pseudonym"] for r in rows(client, seen)] == [who(987650003)]
    # keyset pages of the HTML list: every participant once, over pages of PAGE_SIZE
    from engine.storage.dashboard import base

    size, base.PAGE_SIZE = base.PAGE_SIZE, 4
    listed: list[str] = []
    try:
        url: str | None = "/admin/participants/?include_test=1"
        while url:
            page = client.get(url)
            listed += re.findall(r'class="pseudonym" href="/admin/participants/(\w+)"', page.text)
            found = re.search(r'rel="next" href="([^"]+)"', page.text)
            url = html.unescape(found.group(1)) if found else None
    finally:
        base.PAGE_SIZE = size
    assert len(listed) == 8 and len(set(listed)) == 8


def test_timeline_and_interactions(client: TestClient) -> None:
    login(client, "vik")
    page = client.get(f"/admin/participants/{who(987650006)}")
    assert page.status_code == 200
    assert "Great course" in page.text and "feedback" in page.text
    found = rows(client, "/admin/interactions.csv?q=great")
    assert [r["input_text"] for r in found] == ["Great course"]
    answers = rows(client, "/admin/interactions.csv?kind=answer")
    assert {r["pseudonym"] for r in answers} == {who(987650002), who(987650006)}
    assert rows(client, "/admin/interactions.csv?q=test%20text") == []
    assert len(rows(client, "/admin/interactions.csv?q=test%20text&include_test=1")) == 1
    assert client.get("/admin/participants/nobody").status_code == 404
    assert client.get("/admin/participants.csv?seen_since=yesterday").status_code == 400


def test_overview_numbers(client: TestClient) -> None:
    login(client, "vik")
    page = client.get("/admin/")
    assert page.status_code == 200
    assert '<span class="n" id="participants">6</span>' in page.text
    assert '<span class="n" id="active-today">' in page.text
    assert '<svg class="chart"' in page.text
    # 3+3+2+2+2+3 interactions of real participants (C's two ten days ago), the tests' 6 not
    assert '<span class="n">15</span><span>messages in 30 days</span>' in page.text
    titles = re.findall(r"<title>[0-9-]+: ([0-9,]+) messages</title>", page.text)
    assert len(titles) == 30 and sum(int(n) for n in titles) == 15
    assert f"{dashboard.LONG_AGO.date().isoformat()}: 2 messages" in page.text
    with_tests = client.get("/admin/?include_test=1").text
    assert '<span class="n">21</span><span>messages in 30 days</span>' in with_tests


def test_no_raw_identity_anywhere(client: TestClient) -> None:
    login(client, "asha")
    everything = []
    for path in PAGES + ADMIN_PAGES + CSVS + ADMIN_CSVS:
        for query in ("", "?include_test=1"):
            response = client.get(path + query)
            assert response.status_code == 200, path
            everything.append(response.text)
    everything.append(client.get(f"/admin/participants/{who(987650001)}").text)
    text = "\n".join(everything)
    for raw in (*RAW_IDS, "sim-1"):
        assert raw not in text
    assert who(987650001) in text


def test_roles_and_anonymous(client: TestClient) -> None:
    client.cookies.clear()
    for path in PAGES + ADMIN_PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
    for path in CSVS + ADMIN_CSVS:
        assert client.get(path).status_code == 401, path
    login(client, "vik")
    for path in PAGES + CSVS:
        assert client.get(path).status_code == 200, path
    for path in ADMIN_PAGES + ADMIN_CSVS:
        assert client.get(path).status_code == 403, path
    assert "/admin/jobs/" not in client.get("/admin/").text
    login(client, "asha")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert "vik" in client.get("/admin/accounts/").text
    assert {r["username"] for r in rows(client, "/admin/accounts.csv")} == {"asha", "vik"}


def test_revision_history_shows_what_each_revision_changed(client: TestClient) -> None:
    import json

    from engine.core.flow import revision_of
    from engine.storage.dashboard.base import Reader

    source = json.loads((dashboard.FIXTURES / "helpdesk.json").read_text(encoding="utf-8"))
    nodes = dict(source["nodes"])
    nodes["thanks"] = {**nodes["thanks"], "next": "survey"}
    nodes["survey"] = {"say": {"en": "One more question?", "hi": "एक और सवाल?"}, "next": "start"}
    newer = {**source, "nodes": nodes}
    sha = revision_of(newer)

    async def record() -> None:
        await Reader().rows(
            "INSERT INTO flow_revision (flow, sha256, source, first_seen) VALUES (?, ?, ?, ?)",
            ["helpdesk", sha, json.dumps(newer), "2099-01-01 00:00:00.000000+00:00"],
        )

    store = client.app.state.services.store  # type: ignore[attr-defined]
    client.portal.call(store.read, record)  # type: ignore[union-attr]
    login(client, "vik")
    page = client.get("/admin/flows/helpdesk").text
    assert '<li class="added">added <code>survey</code></li>' in page
    assert '<li class="changed">changed <code>thanks</code></li>' in page
    chosen = client.get(f"/admin/flows/helpdesk?revision={sha}").text
    assert "survey · next" in chosen  # the diagram of that revision
    assert funnel(client, f"?revision={sha}") == {}  # nobody has been in it

"""The simulator shows the machine: state, picker, timeout, media previews, a broken flow edit.

The app runs without a Telegram token on a copy of flows/ with a second flow (`quiz`, two
languages, an entry point, a timeout), in a temporary FLOWS_DIR that a test may break.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from engine.channels.simulator import MediaFiles
from engine.core.flow import revision_of
from engine.service.settings import load_settings
from engine.service.wiring import build_services
from web.app import create_app

REPO = Path(__file__).parents[2]
QUIZ = REPO / "tests" / "fixtures" / "simulator-quiz.json"
SESSION = "web-test-session-1"


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(REPO / "flows", folder, ignore=shutil.ignore_patterns("tests"))
    shutil.copy(QUIZ, folder / "quiz.json")
    (folder / "notes.txt").write_text("a file beside the flows that no flow names\n")
    return folder


@pytest.fixture
def client(tmp_path: Path, flows: Path) -> Iterator[TestClient]:
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'web.db'}",
            "FLOWS_DIR": str(flows),
            "CLIXCHAT_SECRET": "web-test",
        },
        env_file=None,
    )
    services = build_services(settings)
    services.flows.check_every = 0  # notice an edited flow file at once
    with TestClient(create_app(services)) as test_client:
        yield test_client


def start(client: TestClient, **picked: str) -> dict[str, Any]:
    response = client.post("/simulator/start", json={"session": SESSION, **picked})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def send(client: TestClient, text: str) -> dict[str, Any]:
    response = client.post("/simulator/send", json={"session": SESSION, "text": text})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_the_picker_offers_every_flow_its_entry_points_and_languages(client: TestClient) -> None:
    picker = client.get("/simulator/flows").json()
    assert picker["main"] == "clix-teachers" and picker["problems"] == []
    by_id = {flow["id"]: flow for flow in picker["flows"]}
    assert set(by_id) == {"clix-teachers", "quiz"}
    assert by_id["clix-teachers"]["entries"] == ["start", "feedback", "survey_start"]
    assert [lang["code"] for lang in by_id["clix-teachers"]["languages"]] == ["en", "hi"]
    assert by_id["quiz"]["entries"] == ["start", "age"]
    assert [lang["name"] for lang in by_id["quiz"]["languages"]] == ["English", "मराठी"]
    quiz = json.loads(QUIZ.read_text(encoding="utf-8"))
    assert by_id["quiz"]["revision"] == revision_of(quiz)[:12] and by_id["quiz"]["version"] == 3


def test_state_shows_node_kind_revision_language_and_variables_after_each_step(
    client: TestClient,
) -> None:
    first = start(client, flow="quiz", entry="age", language="mr")
    assert first["kind"] == "entry" and first["notes"][-1]["text"] == "▶ started at quiz:age"
    assert first["messages"][0]["text"] == "तुम्ही किती वर्षे शिकवले आहे?"
    state = first["state"]
    assert (state["flow"], state["node"], state["kind"]) == ("quiz", "age", "ask · integer")
    assert state["language"] == "mr" and state["variables"] == {}
    quiz = json.loads(QUIZ.read_text(encoding="utf-8"))
    assert state["revision"] == {
        "sha256": revision_of(quiz)[:12],
        "version": 3,
        "current": revision_of(quiz)[:12],
        "behind": False,
    }
    assert state["timeout"]["after"] == "30m" and state["timeout"]["next"] == "nudge"

    second = send(client, "7")["state"]
    assert (second["node"], second["kind"], second["variables"]) == (
        "school",
        "ask · text",
        {"years": 7},
    )
    assert second["timeout"] is None
    third = send(client, "Govt. School Nashik")["state"]
    assert third["node"] == "done" and third["kind"] == "end" and third["ended"] is True
    assert third["variables"] == {"years": 7, "school": "Govt. School Nashik"}


def test_a_reload_gets_the_state_and_the_whole_transcript(client: TestClient) -> None:
    start(client)
    send(client, "Teacher resources")
    send(client, "Moon phases chart")
    reload = client.get("/simulator/state", params={"session": SESSION}).json()
    assert reload["state"]["node"] == "res_more" and reload["state"]["kind"] == "choices"
    said = [(item["who"], item["text"]) for item in reload["transcript"] if item["who"] != "bot"]
    assert said == [
        ("note", "▶ started at clix-teachers:start"),
        ("you", "Teacher resources"),
        ("you", "Moon phases chart"),
    ]
    photo = [item for item in reload["transcript"] if item.get("media_kind") == "photo"]
    assert photo[0]["url"] == "/simulator/media/media/moon-phases.png"
    keyboard = reload["state"]["keyboard"]
    assert keyboard["kind"] == "reply"
    assert [b["label"] for b in keyboard["buttons"][-1]] == ["Back", "Main menu"]
    # a session never seen has no state, and no other participant's transcript
    other = client.get("/simulator/state", params={"session": "someone-else-1"}).json()
    assert other["state"]["started"] is False and other["transcript"] == []


def test_the_timeout_button_fires_only_where_the_node_has_a_timeout(client: TestClient) -> None:
    assert client.post("/simulator/timeout", json={"session": SESSION}).status_code == 409
    start(client, flow="quiz", entry="age", language="en")
    fired = client.post("/simulator/timeout", json={"session": SESSION})
    assert fired.status_code == 200
    data = fired.json()
    assert data["kind"] == "timeout" and data["notes"][-1]["text"] == "⏰ timeout fired at quiz:age"
    assert data["messages"][0]["text"] == "Still there? Tap Go to answer."
    assert data["state"]["node"] == "nudge" and data["state"]["timeout"] is None
    again = client.post("/simulator/timeout", json={"session": SESSION})
    assert again.status_code == 409 and "quiz:nudge" in again.json()["error"]


def test_local_media_is_previewed_and_served(client: TestClient, flows: Path) -> None:
    start(client)
    send(client, "Teacher resources")
    photo = send(client, "Moon phases chart")["messages"][0]
    assert (
        photo["media_kind"] == "photo" and photo["url"] == "/simulator/media/media/moon-phases.png"
    )
    image = client.get(photo["url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content == (flows / "media" / "moon-phases.png").read_bytes()
    send(client, "Another resource")
    document = send(client, "Maths handbook (PDF)")["messages"][0]
    assert document["media_kind"] == "document" and document["media"] == "media/maths-handbook.pdf"
    pdf = client.get(document["url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    "path",
    [
        "media/%2e%2e/media/moon-phases.png",  # `..`, even to a file that may be served
        "media/%2e%2e/%2e%2e/web.db",
        "%2e%2e/flows/media/moon-phases.png",
        "media/%2e/moon-phases.png",
        "media%2F..%2Fquiz.json",
        "clix-teachers.json",  # under FLOWS_DIR, but no flow names it as media
        "notes.txt",
        "media/missing.png",
    ],
)
def test_media_refuses_traversal_and_files_no_flow_names(client: TestClient, path: str) -> None:
    assert client.get("/simulator/media/media/moon-phases.png").status_code == 200
    assert client.get(f"/simulator/media/{path}").status_code == 404


def test_media_refuses_absolute_paths(client: TestClient, flows: Path) -> None:
    absolute = (flows / "media" / "moon-phases.png").resolve()
    assert client.get("/simulator/media/" + quote(str(absolute))).status_code == 404
    assert client.get("/simulator/media//etc/passwd").status_code == 404


def test_media_files_are_matched_against_the_flows_never_opened_as_given(flows: Path) -> None:
    from engine.authoring.library import load_library

    media = MediaFiles(load_library([flows]), flows)
    assert media.file("media/moon-phases.png") == (flows / "media" / "moon-phases.png").resolve()
    for refused in (
        "media/../media/moon-phases.png",
        str((flows / "media" / "moon-phases.png").resolve()),
        "/media/moon-phases.png",
        "media\\moon-phases.png",
        "media//moon-phases.png",
        "",
    ):
        assert media.file(refused) is None, refused
    assert media.url_for_path(str(REPO / "pyproject.toml")) is None


def test_a_broken_flow_edit_is_shown_with_the_validators_lines(
    client: TestClient, flows: Path
) -> None:
    start(client, flow="quiz")
    good = (flows / "quiz.json").read_text(encoding="utf-8")
    broken = good.replace('"next": "done"', '"next": "finish"')
    (flows / "quiz.json").write_text(broken, encoding="utf-8")
    os.utime(flows / "quiz.json", (1, 1))  # a new stamp whatever the clock's resolution

    picker = client.get("/simulator/flows").json()
    assert picker["problems"], "the refused edit is reported"
    assert any("quiz.json" in line and "finish" in line for line in picker["problems"])
    state = client.get("/simulator/state", params={"session": SESSION}).json()
    assert state["problems"] == picker["problems"]
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and health["flow_errors"] == picker["problems"]
    # the last good revision keeps running
    assert send(client, "Go")["state"]["node"] == "age"

    (flows / "quiz.json").write_text(good.replace("Quick quiz", "Quick quiz 2"), encoding="utf-8")
    fixed = client.get("/simulator/flows").json()
    assert fixed["problems"] == [] and fixed["generation"] == 1
    assert client.get("/healthz").json()["status"] == "ok"
    after = client.get("/simulator/state", params={"session": SESSION}).json()["state"]
    assert after["revision"]["behind"] is True  # moved to the new revision at the next step
    assert send(client, "4")["state"]["revision"]["behind"] is False


def test_simulator_participants_are_test_participants(client: TestClient, tmp_path: Path) -> None:
    start(client)
    send(client, "About CLIx")
    with sqlite3.connect(tmp_path / "web.db") as db:
        channels = [row[0] for row in db.execute("SELECT channel FROM participant")]
        kinds = [row[0] for row in db.execute("SELECT input_kind FROM interaction ORDER BY id")]
    assert channels == ["simulator"] and kinds == ["enter", "text"]


@pytest.mark.parametrize(
    ("url", "body", "status"),
    [
        ("/simulator/start", {"session": SESSION, "flow": "nosuch"}, 404),
        ("/simulator/start", {"session": SESSION, "flow": "quiz", "entry": "school"}, 400),
        ("/simulator/start", {"session": "bad session!", "flow": "quiz"}, 400),
        ("/simulator/timeout", {"session": "short"}, 400),
        ("/simulator/send", {"session": SESSION, "media": "hologram"}, 400),
    ],
)
def test_the_simulator_refuses_bad_requests(
    client: TestClient, url: str, body: dict[str, Any], status: int
) -> None:
    response = client.post(url, json=body)
    assert response.status_code == status and "error" in response.json()
    assert client.get("/simulator/state", params={"session": "../x"}).status_code == 400


def test_inline_taps_read_as_their_labels_after_a_reload(client: TestClient, flows: Path) -> None:
    quiz = json.loads(QUIZ.read_text(encoding="utf-8"))
    quiz["keyboard"] = "inline"
    (flows / "quiz.json").write_text(json.dumps(quiz, ensure_ascii=False), encoding="utf-8")
    assert client.get("/simulator/flows").json()["generation"] == 1
    first = start(client, flow="quiz", language="mr")
    go = first["messages"][-1]["buttons"][0][0]
    assert first["messages"][-1]["keyboard"] == "inline" and go["label"] == "चला"
    tapped = client.post("/simulator/send", json={"session": SESSION, "button": go["data"]})
    assert tapped.json()["state"]["node"] == "age"
    restart = tapped.json()["messages"][-1]["buttons"][-1][-1]
    client.post("/simulator/send", json={"session": SESSION, "button": restart["data"]})
    reload = client.get("/simulator/state", params={"session": SESSION}).json()
    said = [item["text"] for item in reload["transcript"] if item["who"] == "you"]
    assert said == ["चला", "पुन्हा सुरू करा"]
    assert reload["state"]["keyboard"]["kind"] == "inline"
    assert reload["state"]["keyboard"]["buttons"][0][0]["label"] == "चला"


def test_the_simulator_is_off_while_a_telegram_token_is_set(tmp_path: Path, flows: Path) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'token.db'}",
            "FLOWS_DIR": str(flows),
            "CLIXCHAT_SECRET": "web-test",
            "TELEGRAM_TOKEN": "123456:TEST-token",
            "WEBHOOK_SECRET": "web-test-secret",
        },
        env_file=None,
    )
    client = TestClient(create_app(build_services(settings)))  # no lifespan: nothing starts
    for url in ("/simulator", "/simulator/flows", "/simulator/media/media/moon-phases.png"):
        assert client.get(url).status_code == 404, url
    assert client.get("/simulator/state", params={"session": SESSION}).status_code == 404
    for url in ("/simulator/start", "/simulator/send", "/simulator/timeout"):
        assert client.post(url, json={"session": SESSION, "text": "hi"}).status_code == 404

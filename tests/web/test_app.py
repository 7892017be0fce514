"""The web app without a Telegram token: simulator, health, metrics, dashboard placeholder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from engine.service.settings import load_settings
from engine.service.wiring import build_services
from web.app import create_app

FLOWS = Path(__file__).parents[2] / "flows"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'web.db'}",
            "FLOWS_DIR": str(FLOWS),
            "CLIXCHAT_SECRET": "web-test",
        },
        env_file=None,
    )
    with TestClient(create_app(build_services(settings))) as test_client:
        yield test_client


def test_simulator_walks_the_bundled_programme(client: TestClient) -> None:
    assert client.get("/").url.path == "/simulator"
    page = client.get("/simulator")
    assert page.status_code == 200 and "CLIxChat simulator" in page.text
    session = "browser-session-1"
    first = client.post(
        "/simulator/send", json={"session": session, "text": "/start", "language": "hi"}
    ).json()
    assert first["kind"] == "start" and first["messages"][-1]["keyboard"] == "reply"
    assert any("\u0900" <= ch <= "\u097f" for ch in first["messages"][0]["text"])  # Devanagari
    label = first["messages"][-1]["buttons"][0][0]["label"]
    second = client.post("/simulator/send", json={"session": session, "text": label}).json()
    assert second["kind"] == "choice"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"session": "short", "text": "hi"}', b'{"session": "long-enough-id"}', b"[]"],
)
def test_simulator_refuses_bad_requests_with_400(client: TestClient, body: bytes) -> None:
    response = client.post("/simulator/send", content=body)
    assert response.status_code == 400 and "error" in response.json()


def test_health_and_metrics(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert (
        health["status"] == "ok"
        and health["main"] == "clix-teachers"
        and health["telegram"] is False
    )
    client.post("/simulator/send", json={"session": "metrics-session", "text": "/start"})
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "clixchat_updates_total" in metrics.text
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_webhook_is_refused_without_a_token_configured(client: TestClient) -> None:
    response = client.post("/bot/", json={"update_id": 1, "message": {}})
    assert response.status_code == 404

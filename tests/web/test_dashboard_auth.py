"""Dashboard login: anonymous, wrong password, missing CSRF get nowhere; a right login gets in."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from engine.service.settings import load_settings
from engine.service.wiring import build_services
from engine.storage import accounts, db, schema_upgrade
from web.app import create_app
from web.dashboard import auth

FLOWS = Path(__file__).parents[2] / "flows"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    auth._failures.clear()
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'web.db'}",
            "FLOWS_DIR": str(FLOWS),
            "CLIXCHAT_SECRET": "web-test",
        },
        env_file=None,
    )
    asyncio.run(_account(settings.database_url))
    with TestClient(create_app(build_services(settings))) as test_client:
        yield test_client


async def _account(url: str) -> None:
    await schema_upgrade.upgrade(url)
    await db.connect(url)
    try:
        await accounts.create("asha", "right-password", "admin")
    finally:
        await db.close()


def csrf(client: TestClient) -> str:
    page = client.get("/admin/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    response = client.get("/admin/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/login"


def test_login_then_overview_then_logout(client: TestClient) -> None:
    token = csrf(client)
    response = client.post(
        "/admin/login",
        data={"username": "asha", "password": "right-password", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/admin/")
    assert page.status_code == 200 and "Overview" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert client.post("/admin/logout", data={}, follow_redirects=False).status_code == 403
    out = client.post("/admin/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_wrong_password_and_missing_csrf_get_nowhere(client: TestClient) -> None:
    token = csrf(client)
    wrong = client.post(
        "/admin/login", data={"username": "asha", "password": "nope-nope", "csrf": token}
    )
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
    missing = client.post("/admin/login", data={"username": "asha", "password": "right-password"})
    assert missing.status_code == 403
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_repeated_wrong_passwords_are_throttled(client: TestClient) -> None:
    token = csrf(client)
    for _ in range(auth.FAILURES_ALLOWED):
        client.post("/admin/login", data={"username": "asha", "password": "x" * 9, "csrf": token})
    right = client.post(
        "/admin/login", data={"username": "asha", "password": "right-password", "csrf": token}
    )
    assert right.status_code == 429
    assert client.get("/admin/", follow_redirects=False).status_code == 303


def test_forged_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set(auth.COOKIE, "eyJ1c2VyIjoiYXNoYSJ9.forged.sig", path="/admin")
    assert client.get("/admin/", follow_redirects=False).status_code == 303

"""`clixchat poll` and `clixchat webhook set|info|delete` against the Bot API double."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from engine.cli import serve as cli_serve
from engine.cli.main import main
from tests.e2e.stack import SECRET, TOKEN, flow_dir
from tests.support import updates as u
from tests.support.botapi_double import BotApiDouble


def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api: BotApiDouble) -> None:
    for name, value in {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "WEBHOOK_SECRET": SECRET,
        "CLIXCHAT_SECRET": "commands-test",
        "DATABASE_URL": f"sqlite://{tmp_path / 'cmd.db'}",
        "FLOWS_DIR": str(flow_dir(tmp_path)),
        "PUBLIC_URL": "https://bot.example.org",
    }.items():
        monkeypatch.setenv(name, value)


def test_webhook_set_info_delete(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with BotApiDouble(token=TOKEN) as api:
        environment(monkeypatch, tmp_path, api)
        assert main(["webhook", "set"]) == 0
        assert json.loads(capsys.readouterr().out)["set"] == "https://bot.example.org/bot/"
        registered = api.last("setWebhook")
        assert registered is not None and registered.params["secret_token"] == SECRET
        assert registered.params["max_connections"] in (40, "40")
        assert main(["webhook", "info"]) == 0
        info = json.loads(capsys.readouterr().out)
        assert info["url"] == "https://bot.example.org/bot/" and info["max_connections"] == 40
        assert main(["webhook", "delete"]) == 0
        capsys.readouterr()
        assert api.webhook.get("url", "") == ""


def test_webhook_set_needs_an_https_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with BotApiDouble(token=TOKEN) as api:
        environment(monkeypatch, tmp_path, api)
        monkeypatch.setenv("PUBLIC_URL", "http://insecure.example.org")
        assert main(["webhook", "set"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "https" in err
        assert api.last("setWebhook") is None


async def test_poll_handles_waiting_updates_and_replies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with BotApiDouble(token=TOKEN) as api:
        environment(monkeypatch, tmp_path, api)
        api.push_update(u.command(1, 4242, "/start"))
        api.push_update(u.message(2, 4242, "Modules"))
        assert await cli_serve._poll(once=True) == 0
        assert api.texts(4242) == [
            "Hello teacher! Choose a topic.",
            "Which module?",
            "Maths handbook",
        ]


async def test_poll_needs_no_webhook_secret_and_says_before_it_deletes_a_webhook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with BotApiDouble(token=TOKEN) as api:
        environment(monkeypatch, tmp_path, api)
        assert "set" in await cli_serve._webhook("set")
        monkeypatch.delenv("WEBHOOK_SECRET")
        api.push_update(u.command(1, 4343, "/start"))
        with caplog.at_level(logging.INFO):
            assert await cli_serve._poll(once=True) == 0
        warned = [r for r in caplog.records if "deleting it" in r.getMessage()]
        assert len(warned) == 1
        assert api.last("deleteWebhook") is not None
        assert api.texts(4343) == ["Hello teacher! Choose a topic."]


def test_serve_refuses_sqlite_with_several_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'x.db'}")
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    assert main(["serve", "--workers", "2"]) == 2
    assert "SQLite is single-process" in capsys.readouterr().err


def test_serve_with_a_token_needs_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_TOKEN", TOKEN)
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert main(["serve"]) == 2
    assert "WEBHOOK_SECRET is required" in capsys.readouterr().err

"""An operator's mistakes get one line on stderr and a non-zero exit, never a traceback.

Each command runs as a real process (`python -m engine.cli.main`), as an operator runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.botapi_double import BotApiDouble

ROOT = Path(__file__).parents[2]
FLOWS = ROOT / "flows"
TOKEN = "123456:operator-errors-token"


def clixchat(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """Run `clixchat ARGS` in tmp_path with only the given settings; (exit code, stderr)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "FLOWS_DIR": str(FLOWS),
        "DATABASE_URL": f"sqlite://{tmp_path / 'ops.db'}",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stderr


def one_line(code: int, stderr: str) -> str:
    assert code != 0
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_unreachable_database(tmp_path: Path) -> None:
    line = one_line(
        *clixchat(tmp_path, "db", "upgrade", "--database", "postgres://u:pw@127.0.0.1:1/x")
    )
    assert "cannot use the database at postgres://127.0.0.1:1/x" in line
    assert "connection refused" in line and "pw" not in line


def test_unreachable_database_for_the_console(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("/start\n")
    line = one_line(
        *clixchat(tmp_path, "chat", "--script", "s.txt", DATABASE_URL="postgres://u@127.0.0.1:1/x")
    )
    assert "cannot use the database" in line


def test_unknown_database_url(tmp_path: Path) -> None:
    line = one_line(*clixchat(tmp_path, "db", "upgrade", DATABASE_URL="mysqlx://h/db"))
    assert "unknown scheme 'mysqlx'" in line and "sqlite://" in line


def test_sqlite_file_in_a_missing_folder(tmp_path: Path) -> None:
    line = one_line(*clixchat(tmp_path, "db", "upgrade", "--database", "sqlite:///no/such/x.db"))
    assert "cannot open the file" in line


def test_bot_api_refuses_the_token(tmp_path: Path) -> None:
    with BotApiDouble(token=TOKEN) as api:
        line = one_line(
            *clixchat(
                tmp_path, "webhook", "info", TELEGRAM_TOKEN="999:wrong", TELEGRAM_API_URL=api.url
            )
        )
    assert "refused the token (401 Unauthorized)" in line and "999:wrong" not in line


def test_bot_api_unreachable(tmp_path: Path) -> None:
    line = one_line(
        *clixchat(
            tmp_path,
            "webhook",
            "info",
            TELEGRAM_TOKEN=TOKEN,
            TELEGRAM_API_URL="http://127.0.0.1:1",
        )
    )
    assert "cannot reach the Bot API at http://127.0.0.1:1" in line


@pytest.mark.parametrize("secret", ["has space", "x" * 257, "ümlaut"])
def test_malformed_webhook_secret(tmp_path: Path, secret: str) -> None:
    line = one_line(
        *clixchat(
            tmp_path,
            "serve",
            TELEGRAM_TOKEN=TOKEN,
            WEBHOOK_SECRET=secret,
            CLIXCHAT_SECRET="k",
        )
    )
    assert "WEBHOOK_SECRET must be 1-256 characters" in line and secret not in line


def test_zero_workers(tmp_path: Path) -> None:
    line = one_line(*clixchat(tmp_path, "serve", "--workers", "0"))
    assert "--workers must be at least 1" in line


def test_a_number_setting_that_is_not_a_number(tmp_path: Path) -> None:
    line = one_line(*clixchat(tmp_path, "serve", BACKUP_KEEP="fourteen"))
    assert "BACKUP_KEEP must be a whole number" in line


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_serve_says_when_its_port_is_taken(tmp_path: Path, taken_port: int) -> None:
    line = one_line(*clixchat(tmp_path, "serve", "--port", str(taken_port)))
    assert f"cannot listen on 127.0.0.1:{taken_port}" in line and "--port" in line

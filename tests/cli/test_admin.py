"""`clixchat admin`: accounts made, listed, re-keyed and removed; bad input is one line."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.storage import accounts, db


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite://{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def login(url: str, user: str, password: str) -> str | None:
    async def go() -> str | None:
        await db.connect(url)
        try:
            found = await accounts.authenticate(user, password)
            return found.role if found else None
        finally:
            await db.close()

    return asyncio.run(go())


def test_create_list_password_remove(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys, monkeypatch, "s3cret-pass\n", "admin", "create", "asha", "--role", "admin"
    )
    assert code == 0 and "created admin asha" in out
    assert login(database, "asha", "s3cret-pass") == "admin"
    assert login(database, "asha", "wrong-pass") is None
    assert login(database, "nobody", "s3cret-pass") is None

    code, out, _ = run(capsys, monkeypatch, "", "admin", "list")
    assert code == 0 and out.startswith("asha\tadmin\tlast login 20")

    code, _, _ = run(capsys, monkeypatch, "another-pass\n", "admin", "password", "asha")
    assert code == 0
    assert login(database, "asha", "s3cret-pass") is None
    assert login(database, "asha", "another-pass") == "admin"

    code, out, _ = run(capsys, monkeypatch, "", "admin", "remove", "asha")
    assert code == 0 and "removed asha" in out
    assert login(database, "asha", "another-pass") is None


def test_password_is_stored_only_as_argon2(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, monkeypatch, "plain-text-pw\n", "admin", "create", "ravi")
    raw = Path(database.removeprefix("sqlite://")).read_bytes()
    assert b"plain-text-pw" not in raw and b"$argon2id$" in raw


@pytest.mark.parametrize(
    ("stdin", "argv", "reason"),
    [
        ("short\n", ["admin", "create", "ravi"], "password too short"),
        ("\n", ["admin", "create", "ravi"], "no password"),
        ("long-enough\n", ["admin", "create", "bad name"], "bad username"),
        ("long-enough\n", ["admin", "password", "ghost"], "no account 'ghost'"),
        ("", ["admin", "remove", "ghost"], "no account 'ghost'"),
    ],
)
def test_bad_input_is_one_line(
    database: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str,
    argv: list[str],
    reason: str,
) -> None:
    code, _, err = run(capsys, monkeypatch, stdin, *argv)
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1


def test_duplicate_account_refused(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, monkeypatch, "long-enough\n", "admin", "create", "ravi")[0] == 0
    code, _, err = run(capsys, monkeypatch, "long-enough\n", "admin", "create", "ravi")
    assert code == 2 and "exists already" in err


def test_without_migrations_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'empty.db'}")
    code, _, err = run(capsys, monkeypatch, "", "admin", "list")
    assert code == 2 and "clixchat db upgrade" in err and len(err.strip().splitlines()) == 1

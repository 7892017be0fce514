"""`clixchat certs check`: one line, exit 0/1/2 as monitoring plugins expect."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli.main import main
from tests.support.certs import make_certificate


@pytest.fixture(autouse=True)
def _no_cert_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CERT_PATH", "CERT_HOST", "CERT_WARN_DAYS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the working tree


@pytest.mark.parametrize(("days", "code"), [(100, 0), (5, 1), (-1, 2)])
def test_exit_code_follows_the_days_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], days: int, code: int
) -> None:
    cert, _ = make_certificate(tmp_path, "site", days)
    assert main(["certs", "check", "--path", str(cert)]) == code
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "CN=bot.example.org" in out and "expires 20" in out


def test_cert_path_and_warn_days_come_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cert, _ = make_certificate(tmp_path, "site", 30)
    monkeypatch.setenv("CERT_PATH", str(cert))
    assert main(["certs", "check"]) == 0
    monkeypatch.setenv("CERT_WARN_DAYS", "45")
    assert main(["certs", "check"]) == 1
    assert "WARNING" in capsys.readouterr().out.splitlines()[-1]


def test_garbage_unreachable_and_nothing_configured_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello")
    assert main(["certs", "check", "--path", str(garbage)]) == 2
    assert main(["certs", "check", "--host", "127.0.0.1:1"]) == 2
    assert "cannot connect" in capsys.readouterr().out
    assert main(["certs", "check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "set CERT_PATH or CERT_HOST" in err

"""Certificate checks on files and on a TLS port, with certificates made in the test."""

from __future__ import annotations

import asyncio
import shlex
import ssl
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from engine.service.certs import (
    CRITICAL,
    OK,
    WARNING,
    certificate_job,
    check_file,
    check_host,
    days_left,
    parse_host,
)
from engine.service.settings import Settings
from tests.support.certs import make_certificate


@pytest.mark.parametrize(
    ("days", "status", "words"),
    [(100, OK, "99 day(s) left"), (5, WARNING, "4 day(s) left"), (-3, CRITICAL, "expired")],
)
def test_a_pem_file_is_judged_by_its_days_left(
    tmp_path: Path, days: int, status: int, words: str
) -> None:
    cert, _ = make_certificate(tmp_path, "site", days)
    result = check_file(cert, warn_days=21)
    assert result.status == status
    assert result.line.startswith(("certificate OK", "certificate WARNING", "certificate CRIT"))
    assert "CN=bot.example.org" in result.line and words in result.line
    assert "\n" not in result.line


def test_garbage_and_missing_files_are_critical(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n")
    assert check_file(garbage, 21).status == CRITICAL
    assert "holds no PEM certificate" in check_file(garbage, 21).line
    missing = check_file(tmp_path / "absent.pem", 21)
    assert missing.status == CRITICAL and "cannot read" in missing.line


def test_host_and_port_forms() -> None:
    assert parse_host("bot.example.org") == ("bot.example.org", 443)
    assert parse_host("127.0.0.1:8443") == ("127.0.0.1", 8443)
    assert parse_host("[::1]:9443") == ("::1", 9443)
    with pytest.raises(ValueError, match="1-65535"):
        parse_host("host:99999")


@asynccontextmanager
async def tls_server(cert: Path, key: Path) -> AsyncIterator[int]:
    """A TLS port on loopback presenting `cert`; yields the port."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_a_tls_server_on_loopback_is_checked(tmp_path: Path) -> None:
    for days, status in ((100, OK), (5, WARNING), (-2, CRITICAL)):
        cert, key = make_certificate(tmp_path, f"tls{days}", days)
        async with tls_server(cert, key) as port:
            result = await check_host("127.0.0.1", port, warn_days=21, timeout=10)
        assert result.status == status, result.line
        assert "CN=bot.example.org" in result.line and f"127.0.0.1:{port}" in result.line


async def test_an_unreachable_host_is_critical(tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path, "gone", 100)
    async with tls_server(cert, key) as port:
        pass  # closed again: nothing listens there now
    result = await check_host("127.0.0.1", port, warn_days=21, timeout=5)
    assert result.status == CRITICAL and "cannot connect" in result.line


def _renewer(tmp_path: Path, fresh: Path | None, cert: Path) -> tuple[str, Path]:
    """A harmless CERT_RENEW_COMMAND: writes a marker file (and copies a fresh cert over)."""
    marker = tmp_path / "renewed.marker"
    copy = f"shutil.copy({str(fresh)!r}, {str(cert)!r}); " if fresh else ""
    script = f"import pathlib, shutil; {copy}pathlib.Path({str(marker)!r}).write_text('renewed')"
    return shlex.join([sys.executable, "-c", script]), marker


def _settings(cert: Path, command: str, timeout: float = 30) -> Settings:
    return Settings(
        cert_path=str(cert),
        cert_warn_days=21,
        cert_renew_command=command,
        cert_renew_timeout=timeout,
    )


async def test_the_job_renews_within_the_warning_days_and_checks_again(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, "site", 5)
    fresh, _ = make_certificate(tmp_path, "fresh", 90)
    command, marker = _renewer(tmp_path, fresh, cert)
    outcome, detail = await certificate_job(_settings(cert, command))
    assert marker.read_text() == "renewed"
    assert outcome == "ok" and "exited 0" in detail and "certificate OK" in detail
    found = days_left(detail)
    assert found is not None and found[0] == str(cert) and 88 < found[1] < 90


async def test_a_renewal_that_changes_nothing_is_a_warning(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, "site", 5)
    command, marker = _renewer(tmp_path, None, cert)
    outcome, detail = await certificate_job(_settings(cert, command))
    assert marker.exists() and outcome == "warning" and "certificate WARNING" in detail


async def test_a_renew_command_past_its_time_limit_is_stopped(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, "site", -1)
    command = shlex.join([sys.executable, "-c", "import time; time.sleep(60)"])
    outcome, detail = await certificate_job(_settings(cert, command, timeout=0.5))
    assert outcome == "failed" and "ran out of its 0.5 s" in detail


async def test_a_healthy_certificate_runs_no_renewal(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, "site", 100)
    command, marker = _renewer(tmp_path, None, cert)
    outcome, detail = await certificate_job(_settings(cert, command))
    assert outcome == "ok" and not marker.exists() and detail.startswith("certificate OK")

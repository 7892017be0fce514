"""Certificate checks: a PEM file (CERT_PATH) or a TLS server (CERT_HOST[:PORT]).

One line (subject, expiry, days left) and a status in the monitoring-plugin convention: 0 with
more than CERT_WARN_DAYS days left, 1 within them, 2 when expired, unreadable or unreachable.
The daily job renews within the warning days with CERT_RENEW_COMMAND, under a time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shlex
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from engine.service.settings import Settings

log = logging.getLogger("clixchat.certs")

OK, WARNING, CRITICAL = 0, 1, 2
LABELS = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL"}
CONNECT_TIMEOUT = 10.0
EXPIRES = re.compile(r"expires (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")
SOURCE = re.compile(r"\(([^()]*)\)$")


@dataclass(frozen=True)
class CertCheck:
    status: int
    """0 ok, 1 within the warning days, 2 expired/unreadable/unreachable"""
    line: str
    source: str
    subject: str = ""
    not_after: datetime | None = None
    days_left: int | None = None

    @property
    def renewable(self) -> bool:
        """A certificate was read and is expiring or expired (not: none could be read)."""
        return self.status != OK and self.not_after is not None


def parse_host(value: str) -> tuple[str, int]:
    """HOST, HOST:PORT or [IPv6]:PORT; port 443 unless given."""
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif value.count(":") == 1:
        host, _, port = value.partition(":")
    else:
        host, port = value, ""
    if not host:
        raise ValueError(f"no host in {value!r}")
    if not port:
        return host, 443
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"the port in {value!r} must be 1-65535")
    return host, int(port)


def judge(
    certificate: x509.Certificate, source: str, warn_days: int, now: datetime | None = None
) -> CertCheck:
    moment = now or datetime.now(UTC)
    subject = certificate.subject.rfc4514_string() or "(no subject)"
    not_after = certificate.not_valid_after_utc
    remaining = not_after - moment
    days = int(remaining.total_seconds() // 86400)
    if remaining.total_seconds() <= 0:
        status = CRITICAL
        left = f"expired {-days - 1 if days < 0 else 0} day(s) ago"
    else:
        status = OK if days > warn_days else WARNING
        left = f"{days} day(s) left"
    stamp = not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    line = f"certificate {LABELS[status]}: {subject}, expires {stamp}, {left} ({source})"
    return CertCheck(status, line, source, subject, not_after, days)


def _failure(source: str, reason: str) -> CertCheck:
    return CertCheck(CRITICAL, f"certificate CRITICAL: {reason} ({source})", source)


def check_file(path: Path, warn_days: int, now: datetime | None = None) -> CertCheck:
    """The first certificate of a PEM file (certbot's fullchain.pem starts with the server's)."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        return _failure(source, f"cannot read {path}: {error.strerror or error}")
    try:
        certificate = x509.load_pem_x509_certificates(data)[0]
    except (ValueError, IndexError):
        return _failure(source, f"{path} holds no PEM certificate")
    return judge(certificate, source, warn_days, now)


async def check_host(
    host: str, port: int, warn_days: int, timeout: float = CONNECT_TIMEOUT
) -> CertCheck:
    """The certificate a TLS server presents (read even when it does not verify, so an expired
    or self-signed one is reported with its dates rather than as a failed handshake)."""
    source = f"{host}:{port}"
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    except TimeoutError:
        return _failure(source, f"no TLS answer within {timeout:g} s")
    except (OSError, ssl.SSLError) as error:
        return _failure(source, f"cannot connect: {error.strerror or error}")
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 5)
    if not der:
        return _failure(source, "the server presented no certificate")
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        return _failure(source, "the server's certificate cannot be parsed")
    return judge(certificate, source, warn_days)


async def check(
    settings: Settings, path: str | None = None, host: str | None = None
) -> CertCheck | None:
    """--path or --host, else CERT_PATH, else CERT_HOST; None when nothing is configured."""
    if path is None and host is None:
        path, host = settings.cert_path, settings.cert_host
    if path is not None:
        return check_file(Path(path), settings.cert_warn_days)
    if host is not None:
        name, port = parse_host(host)
        return await check_host(name, port, settings.cert_warn_days)
    return None


def days_left(detail: str, now: datetime | None = None) -> tuple[str, float] | None:
    """(source, days left now) of the certificate in a job run's detail (its last check's
    line); None if it names none."""
    found = EXPIRES.findall(detail)
    source = SOURCE.search(detail)
    if not found or source is None:
        return None
    not_after = datetime.strptime(found[-1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return source.group(1), (not_after - (now or datetime.now(UTC))).total_seconds() / 86400


@dataclass(frozen=True)
class Renewal:
    ran: bool
    code: int | None
    """the command's exit status; None when it could not start or ran out of time"""
    note: str


async def renew(command: str, time_limit: float) -> Renewal:
    """Run CERT_RENEW_COMMAND (no shell), killed after `time_limit` seconds."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        return Renewal(False, None, f"CERT_RENEW_COMMAND cannot be parsed: {error}")
    if not argv:
        return Renewal(False, None, "CERT_RENEW_COMMAND is empty")
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError as error:
        return Renewal(False, None, f"{argv[0]} cannot be started: {error.strerror or error}")
    try:
        async with asyncio.timeout(time_limit):
            output, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        return Renewal(True, None, f"{argv[0]} ran out of its {time_limit:g} s and was stopped")
    last = output.decode(errors="replace").strip().splitlines()[-1:] or [""]
    tail = f": {last[0][:200]}" if last[0] else ""
    return Renewal(True, process.returncode, f"{argv[0]} exited {process.returncode}{tail}")


async def certificate_job(settings: Settings) -> tuple[str, str]:
    """The daily check: (outcome, detail) for job_run. Within the warning days (or expired) it
    warns, renews, and checks again."""
    first = await check(settings)
    if first is None:
        return "ok", "nothing to check: neither CERT_PATH nor CERT_HOST is set"
    if not first.renewable:
        outcome = "ok" if first.status == OK else "failed"
        if first.status != OK:
            log.warning("%s", first.line)
        return outcome, first.line
    log.warning("%s; running CERT_RENEW_COMMAND", first.line)
    renewal = await renew(settings.cert_renew_command, settings.cert_renew_timeout)
    again = await check(settings)
    assert again is not None
    outcome = {OK: "ok", WARNING: "warning", CRITICAL: "failed"}[again.status]
    if renewal.code != 0 and outcome == "ok":
        outcome = "warning"
    if again.status != OK:
        log.warning("after renewing: %s", again.line)
    return outcome, f"renew: {renewal.note}; then {again.line}"

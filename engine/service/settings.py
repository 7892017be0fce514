"""Settings from the environment (and a `.env` file), as DESIGN.md lists them."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values


class ConfigError(Exception):
    """A setting that stops a command from starting (one line)."""


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    webhook_secret: str | None = None
    public_url: str | None = None
    database_url: str = "sqlite://clixchat.db"
    secret: str | None = None
    flows_dir: Path = Path("flows")
    main_flow: str | None = None
    backup_dir: Path = Path("backups")
    backup_cron: str = "0 2 * * *"
    backup_keep: int = 14
    cert_path: str | None = None
    cert_host: str | None = None
    cert_warn_days: int = 21
    cert_renew_command: str = "certbot renew --nginx"
    cert_renew_timeout: float = 600.0
    """Seconds CERT_RENEW_COMMAND may run before it is stopped (CERT_RENEW_TIMEOUT)."""
    job_every: str = ""
    """Tests only (CLIXCHAT_JOB_EVERY, e.g. `certificates=2,timeouts=1`): run these jobs every
    so many seconds instead of on their schedule."""
    scheduler_retry: float = 5.0
    """Seconds between a standby scheduler's tries for the lock (CLIXCHAT_SCHEDULER_RETRY)."""
    workers: int = 1
    """How many `serve` worker processes share the bot (set by `serve --workers`)."""
    time_scale: float = 1.0
    """Tests only (CLIXCHAT_TIME_SCALE): run the send limits' clock this many times faster."""
    send_rate: float = 30.0
    """Messages a second to the Bot API for the whole bot, all workers and hosts (SEND_RATE)."""
    reply_in_response: bool = False
    """Let a single reply ride in the webhook's HTTP answer (REPLY_IN_RESPONSE); recorded as
    sent_unconfirmed, since Telegram never says whether it worked."""
    outbox_poll: float = 0.1
    """Seconds between the sender's looks at the outbox table for rows other processes wrote
    (CLIXCHAT_OUTBOX_POLL); rows this process writes wake it at once."""


def _int(value: str | None, default: int, name: str) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
"""Telegram's rule for a webhook's secret_token."""


def check_webhook_secret(value: str | None) -> None:
    """Telegram accepts 1-256 characters of A-Za-z0-9_- as a webhook's secret_token."""
    if value is not None and not SECRET_TOKEN.fullmatch(value):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
        )


def _bool(value: str | None, name: str) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be on or off (1/0, true/false, yes/no), not {value!r}")


def _url(value: str, name: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{name} must start with http:// or https://")
    return value


def _float(value: str | None, default: float, name: str) -> float:
    if value in (None, ""):
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number > 0:
        raise ValueError(f"{name} must be more than 0")
    return number


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | None = ".env"
) -> Settings:
    """Environment variables win over the `.env` file; unknown names are ignored."""
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        return value if value not in (None, "") else None

    return Settings(
        telegram_token=get("TELEGRAM_TOKEN") or get("TELEGRAM_KEY"),
        telegram_api_url=_url(
            (get("TELEGRAM_API_URL") or "https://api.telegram.org").rstrip("/"),
            "TELEGRAM_API_URL",
        ),
        webhook_secret=get("WEBHOOK_SECRET"),
        public_url=get("PUBLIC_URL"),
        database_url=get("DATABASE_URL") or "sqlite://clixchat.db",
        secret=get("CLIXCHAT_SECRET"),
        flows_dir=Path(get("FLOWS_DIR") or "flows"),
        main_flow=get("CLIXCHAT_FLOW"),
        backup_dir=Path(get("BACKUP_DIR") or "backups"),
        backup_cron=get("BACKUP_CRON") or "0 2 * * *",
        backup_keep=_int(get("BACKUP_KEEP"), 14, "BACKUP_KEEP"),
        cert_path=get("CERT_PATH"),
        cert_host=get("CERT_HOST"),
        cert_warn_days=_int(get("CERT_WARN_DAYS"), 21, "CERT_WARN_DAYS"),
        cert_renew_command=get("CERT_RENEW_COMMAND") or "certbot renew --nginx",
        cert_renew_timeout=_float(get("CERT_RENEW_TIMEOUT"), 600.0, "CERT_RENEW_TIMEOUT"),
        job_every=get("CLIXCHAT_JOB_EVERY") or "",
        scheduler_retry=_float(get("CLIXCHAT_SCHEDULER_RETRY"), 5.0, "CLIXCHAT_SCHEDULER_RETRY"),
        workers=_int(get("CLIXCHAT_WORKERS"), 1, "CLIXCHAT_WORKERS"),
        time_scale=_float(get("CLIXCHAT_TIME_SCALE"), 1.0, "CLIXCHAT_TIME_SCALE"),
        send_rate=_float(get("SEND_RATE"), 30.0, "SEND_RATE"),
        reply_in_response=_bool(get("REPLY_IN_RESPONSE"), "REPLY_IN_RESPONSE"),
        outbox_poll=_float(get("CLIXCHAT_OUTBOX_POLL"), 0.1, "CLIXCHAT_OUTBOX_POLL"),
    )

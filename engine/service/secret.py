"""CLIXCHAT_SECRET, or a local one for the embedded default (kept apart from the wiring so that
commands which need only the secret do not load the Telegram client)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from engine.service.settings import ConfigError, Settings
from engine.storage import db

log = logging.getLogger("clixchat.serve")


def local_secret(settings: Settings) -> str:
    """CLIXCHAT_SECRET, or for the embedded SQLite default without Telegram, a secret made once
    and kept in `.clixchat-secret` beside the database so pseudonyms stay stable."""
    if settings.secret:
        return settings.secret
    if settings.telegram_token or db.is_postgres(settings.database_url):
        raise ConfigError("CLIXCHAT_SECRET is required with a Telegram token or PostgreSQL")
    path = Path(".clixchat-secret")
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        os.chmod(path, 0o600)
        log.warning("no CLIXCHAT_SECRET: made one in %s for this local setup", path)
    return path.read_text().strip()

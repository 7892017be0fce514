"""Operators' errors in one line: what is wrong, without a traceback.

A command that fails because the database or the Bot API cannot be used, or because a setting is
malformed, says so in one line. The line names the database by its scheme, host and port only
(never a password) and never carries what a participant typed.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


def where(url: str) -> str:
    """A database URL without its credentials, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return url.split("://", 1)[0] + "://…"
    if parts.scheme == "sqlite":
        return url.split("?", 1)[0]
    return f"{parts.scheme}://{host}{port}{parts.path}"


def explain(error: BaseException, database_url: str, api_url: str) -> str | None:
    """The one line for an error an operator can fix, or None for anything else."""
    import sqlite3

    from aiogram.exceptions import (
        TelegramNetworkError,
        TelegramServerError,
        TelegramUnauthorizedError,
    )
    from tortoise.exceptions import ConfigurationError, DBConnectionError, OperationalError

    if isinstance(error, TelegramUnauthorizedError):
        return (
            f"the Bot API at {api_url} refused the token (401 Unauthorized): check TELEGRAM_TOKEN"
        )
    if isinstance(error, TelegramNetworkError | TelegramServerError):
        return (
            f"cannot reach the Bot API at {api_url} ({type(error).__name__}); "
            "check TELEGRAM_API_URL and the network"
        )
    if isinstance(error, ConfigurationError) and "scheme" in str(error).lower():
        scheme = database_url.split("://", 1)[0]
        return (
            f"DATABASE_URL has an unknown scheme {scheme!r}: use sqlite://PATH or "
            "postgres://USER@HOST:PORT/NAME"
        )
    if isinstance(error, OperationalError) and _missing_table(error):
        return (
            f"the database at {where(database_url)} has no CLIxChat tables yet: "
            "run `clixchat db upgrade`"
        )
    if isinstance(
        error,
        DBConnectionError
        | ConnectionError
        | TimeoutError
        | socket.gaierror
        | OperationalError
        | sqlite3.Error,
    ):
        reason = _database_reason(error)
        return f"cannot use the database at {where(database_url)}: {reason}"
    if type(error).__module__.startswith("asyncpg") and "Invalid" in type(error).__name__:
        # asyncpg's connection errors (unknown database, role, password) name no participant data
        return f"cannot use the database at {where(database_url)}: {type(error).__name__}"
    return None


def _missing_table(error: BaseException) -> bool:
    text = str(error).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _database_reason(error: BaseException) -> str:
    from tortoise.exceptions import DBConnectionError

    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if "unable to open database file" in str(error):
        return "cannot open the file (does its folder exist, and may this user write there?)"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error)
    if isinstance(error, DBConnectionError) and text and "\n" not in text and len(text) < 200:
        return text  # e.g. 'database "x" does not exist': the server's words, no participant data
    cause = error.__cause__ or error.__context__
    if cause is not None and cause is not error and isinstance(cause, OSError):
        return _database_reason(cause)
    return type(error).__name__

"""Reading the old bot's `manage.py dumpdata bot.element bot.user bot.interaction`."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class DumpError(ValueError):
    """A dump that cannot be imported, in one line; nothing is written."""


@dataclass(frozen=True)
class Element:
    pk: int
    name: str | None
    message: str
    parent: int | None
    lft: int
    tree_id: int
    level: int


@dataclass(frozen=True)
class OldUser:
    chat_id: int
    last_node: int | None
    last_visit: datetime | None


@dataclass(frozen=True)
class OldInteraction:
    pk: int
    user: int
    sent: str
    received: str
    element: int | None
    buttons: list[str]
    start: datetime | None
    response: datetime | None


@dataclass
class Dump:
    elements: list[Element]
    users: list[OldUser]
    interactions: list[OldInteraction]


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _buttons(value: Any) -> list[str]:
    """`btns` as the old bot stored it: a Python list's repr such as "['English', 'Back']"."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not isinstance(value, str) or not value.strip():
        return []
    try:
        parsed = ast.literal_eval(value)  # literals only: never evaluates code
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return [value]
    return [str(v) for v in parsed] if isinstance(parsed, list | tuple) else [str(parsed)]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_dump(path: Path) -> Dump:
    if not path.is_file():
        raise DumpError(f"no such file: {path}")
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DumpError(
            f"{path} is not JSON ({type(error).__name__}): is it `dumpdata` output?"
        ) from None
    if not isinstance(rows, list):
        raise DumpError(f'{path}: expected a list of {{"model", "pk", "fields"}} (dumpdata output)')
    dump = Dump([], [], [])
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("fields"), dict):
            continue
        model, pk, fields = str(row.get("model", "")).lower(), _int(row.get("pk")), row["fields"]
        if pk is None:
            continue
        if model == "bot.element":
            dump.elements.append(
                Element(
                    pk,
                    fields.get("name") if isinstance(fields.get("name"), str) else None,
                    str(fields.get("message_text") or ""),
                    _int(fields.get("parent")),
                    _int(fields.get("lft")) or 0,
                    _int(fields.get("tree_id")) or 0,
                    _int(fields.get("level")) or 0,
                )
            )
        elif model == "bot.user":
            dump.users.append(
                OldUser(pk, _int(fields.get("last_node")), _time(fields.get("last_visit")))
            )
        elif model == "bot.interaction":
            user = _int(fields.get("user"))
            if user is None:
                continue
            dump.interactions.append(
                OldInteraction(
                    pk,
                    user,
                    str(fields.get("msg_s") or ""),
                    str(fields.get("msg_r") or ""),
                    _int(fields.get("msg_pk")),
                    _buttons(fields.get("btns")),
                    _time(fields.get("start_time")),
                    _time(fields.get("response_time")),
                )
            )
    if not dump.elements:
        raise DumpError(f"{path} has no bot.element rows: dump with `dumpdata bot.element ...`")
    return dump

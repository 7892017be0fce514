"""Commands that touch the database: `db upgrade` and `diff`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from engine.authoring.diff import NodeChange, diff_flows
from engine.authoring.files import FlowFileError, read_flow_document
from engine.service.settings import load_settings


class DataError(Exception):
    """A one-line reason a data command cannot go on."""


def _read_flow(path: str) -> dict[str, Any]:
    try:
        return read_flow_document(Path(path))
    except FlowFileError as error:
        raise DataError(str(error)) from None


async def _waiting(url: str, flow: str, nodes: list[str]) -> dict[str, int]:
    from tortoise.functions import Count

    from engine.storage import db
    from engine.storage.models import Participant

    await db.connect(url)
    try:
        rows = (
            await Participant.filter(flow=flow, node__in=nodes, ended=False)
            .annotate(n=Count("id"))
            .group_by("node")
            .values("node", "n")
        )
    finally:
        await db.close()
    return {str(row["node"]): int(row["n"]) for row in rows}


def cmd_diff(args: argparse.Namespace) -> int:
    old, new = _read_flow(args.old), _read_flow(args.new)
    if old.get("flow") != new.get("flow"):
        print(f"note: flow ids differ ({old.get('flow')} -> {new.get('flow')})", file=sys.stderr)
    changes = diff_flows(old, new)
    url = args.database or (load_settings().database_url if args.use_database else None)
    waiting: dict[str, int] = {}
    if url:
        names = [c.node for c in changes if c.change != "added"]
        waiting = asyncio.run(_waiting(url, str(old.get("flow", "")), names)) if names else {}
    if args.format == "json":
        print(json.dumps([_as_dict(c, waiting, bool(url)) for c in changes], indent=2))
        return 0
    if not changes:
        print("no node changes")
        return 0
    for change in changes:
        line = f"{change.change:8} {change.node}"
        if change.change == "removed":
            line += f"  (waiting participants go to {change.goes_to})"
        if url and change.change != "added":
            line += f"  waiting here: {waiting.get(change.node, 0)}"
        print(line)
    removed = sum(1 for c in changes if c.change == "removed")
    print(
        f"{removed} removed, {sum(1 for c in changes if c.change == 'changed')} changed, "
        f"{sum(1 for c in changes if c.change == 'added')} added",
        file=sys.stderr,
    )
    return 0


def _as_dict(change: NodeChange, waiting: dict[str, int], counted: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"node": change.node, "change": change.change}
    if change.goes_to:
        out["goes_to"] = change.goes_to
    if counted and change.change != "added":
        out["waiting"] = waiting.get(change.node, 0)
    return out


def cmd_db(args: argparse.Namespace) -> int:
    from engine.storage import db, schema_upgrade

    url = args.database or load_settings().database_url
    asyncio.run(db.check_reachable(url))
    applied = asyncio.run(schema_upgrade.upgrade(url))
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else ""))
    return 0


def add_commands(commands: Any) -> None:
    diff = commands.add_parser("diff", help="what changes between two revisions of a flow")
    diff.add_argument("old", metavar="OLD", help="the flow file now running")
    diff.add_argument("new", metavar="NEW", help="the flow file about to be published")
    diff.add_argument(
        "--database", metavar="URL", help="count waiting participants in this database"
    )
    diff.add_argument(
        "--use-database", action="store_true", help="count waiting participants in DATABASE_URL"
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.set_defaults(run=cmd_diff)

    dbcmd = commands.add_parser("db", help="database maintenance")
    dbcmd.add_argument("action", choices=("upgrade",), help="upgrade: apply aerich migrations")
    dbcmd.add_argument("--database", metavar="URL", help="default: DATABASE_URL")
    dbcmd.set_defaults(run=cmd_db)

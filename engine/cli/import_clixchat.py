"""`clixchat import-clixchat DUMP.json [--flow ID] [--with-history]`: the old CLIxChat's tree as a
flow file in FLOWS_DIR, and with --with-history its users and interactions."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.authoring.validation import validate_file
from engine.importer.dump import DumpError, read_dump
from engine.importer.tree import convert
from engine.service.settings import ConfigError, load_settings

FLOW_ID = re.compile(r"[a-z0-9-]+")


@contextmanager
def _progress(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (stderr); silent otherwise."""
    if not sys.stderr.isatty() or total == 0:
        yield lambda step: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda step: bar.advance(task, step)


def _check(document: dict[str, Any], folder: Path) -> list[str]:
    """The validator's errors for the document as it would be written in `folder`."""
    with tempfile.NamedTemporaryFile(
        "w", suffix=".json", dir=folder, delete=False, encoding="utf-8"
    ) as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
    try:
        return [p.format() for p in validate_file(Path(handle.name)) if p.severity == "error"]
    finally:
        os.unlink(handle.name)


def _write(document: dict[str, Any], target: Path) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)


async def _history(args: argparse.Namespace, dump: Any, converted: Any) -> Any:
    from engine.importer.history import import_history
    from engine.service.secret import local_secret
    from engine.storage import db, schema_upgrade
    from engine.storage.privacy import Privacy

    settings = load_settings()
    privacy = Privacy(local_secret(settings))
    await db.check_reachable(settings.database_url)
    if not db.is_postgres(settings.database_url):
        await schema_upgrade.upgrade(settings.database_url)
    await db.connect(settings.database_url)
    try:
        with _progress(len(dump.interactions), "interactions") as step:
            return await import_history(dump, converted, privacy, step)
    finally:
        await db.close()


def cmd_import(args: argparse.Namespace) -> int:
    if not FLOW_ID.fullmatch(args.flow):
        raise ConfigError(f"--flow must be lower-case letters, digits and -, not {args.flow!r}")
    settings = load_settings()
    folder = settings.flows_dir
    if not folder.is_dir():
        raise ConfigError(f"FLOWS_DIR {folder} is not a folder")
    try:
        dump = read_dump(Path(args.dump))
        converted = convert(dump.elements, args.flow)
    except DumpError as error:
        raise ConfigError(str(error)) from None
    for line in converted.report:
        print(f"report: {line}", file=sys.stderr)
    errors = _check(converted.document, folder)
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        raise ConfigError("the converted flow does not validate; nothing was written")
    history = asyncio.run(_history(args, dump, converted)) if args.with_history else None
    target = folder / f"{args.flow}.json"
    _write(converted.document, target)
    nodes = len(converted.document["nodes"])
    summary = f"{len(dump.elements)} elements -> {nodes} nodes in {target}"
    if history is not None:
        summary += (
            f"; users: {history.participants} imported, {history.participants_existing} already "
            f"there; interactions: {history.interactions} imported, "
            f"{history.interactions_existing} already there"
        )
        if history.interactions_without_user:
            summary += f", {history.interactions_without_user} without a user (left out)"
    summary += f"; {len(converted.report)} reported"
    print(summary)
    return 0


def add_commands(commands: Any) -> None:
    command = commands.add_parser(
        "import-clixchat", help="import the old CLIxChat's tree (and its history) from dumpdata"
    )
    command.add_argument(
        "dump", metavar="DUMP.json", help="dumpdata bot.element bot.user bot.interaction"
    )
    command.add_argument("--flow", default="clixchat", help="the flow id (default: clixchat)")
    command.add_argument(
        "--with-history",
        action="store_true",
        help="also import the users (pseudonymised) and their interactions into DATABASE_URL",
    )
    command.set_defaults(run=cmd_import)

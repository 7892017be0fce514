"""`clixchat backup` and `clixchat restore`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.cli.export import progress_bar
from engine.service.settings import load_settings


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def cmd_backup(args: argparse.Namespace) -> int:
    from engine.cli.data import DataError
    from engine.service.backup import BackupError, run_backup

    settings = load_settings()
    if args.dir:
        settings = replace(settings, backup_dir=Path(args.dir))
    try:
        with progress_bar("backup") as progress:
            result = asyncio.run(run_backup(settings, progress))
    except BackupError as error:
        raise DataError(str(error)) from None
    rows = sum(result.counts.values())
    print(f"backup {result.path} ({result.kind}, {rows} rows, {_human(result.size)})")
    for old in result.pruned:
        print(f"removed old backup {old}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from engine.cli.data import DataError
    from engine.service.backup import BackupError, run_restore

    settings = load_settings()
    folder = Path(args.path)
    if not folder.is_dir():
        raise DataError(f"no such backup folder: {folder}")
    try:
        with progress_bar("restore") as progress:
            result = asyncio.run(run_restore(settings, folder, args.force, progress))
    except BackupError as error:
        raise DataError(str(error)) from None
    if not result.ok:
        for line in result.mismatches:
            print(f"mismatch: {line}", file=sys.stderr)
        count = len(result.mismatches)
        print(
            f"clixchat restore: error: {count} table(s) differ from the manifest", file=sys.stderr
        )
        return 1
    print(f"restored {folder}: {sum(result.counts.values())} rows in {len(result.counts)} tables")
    return 0


def add_commands(commands: Any) -> None:
    backup = commands.add_parser("backup", help="dump the database and export CSV into BACKUP_DIR")
    backup.add_argument("--dir", metavar="DIR", help="default: BACKUP_DIR")
    backup.set_defaults(run=cmd_backup)

    restore = commands.add_parser("restore", help="restore a backup folder into DATABASE_URL")
    restore.add_argument("path", metavar="PATH", help="a backup folder (clixchat-<timestamp>)")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore.set_defaults(run=cmd_restore)

"""Backups and restore (DESIGN.md "Backups and restore").

`run_backup(settings)` writes BACKUP_DIR/clixchat-<UTC timestamp>/ with the database dump
(`database.dump`, pg_dump's custom format, or `database.sqlite3`, SQLite's online backup),
`export/` (the research CSV export) and `manifest.json` (when, database kind, migration head,
row count per table, SHA-256 per file). Everything is written into a hidden `.partial` folder
that is renamed only once complete, so a failed backup never leaves a folder that looks like
a backup; then only the newest BACKUP_KEEP backups are kept. A failure raises BackupError
(the scheduler records it as a failed run).

`run_restore(settings, path)` checks every checksum first, refuses a database that holds data
unless forced (leaving it unchanged), restores, and compares the row counts with the manifest.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.service.settings import Settings
from engine.storage import dump
from engine.storage.db import is_postgres
from engine.storage.export import ExportFilter, export

PREFIX = "clixchat-"
MANIFEST = "manifest.json"
Progress = Callable[[str, int], None]


class BackupError(Exception):
    """A backup or restore that did not succeed (one line)."""


@dataclass
class BackupResult:
    path: Path
    kind: str
    counts: dict[str, int]
    size: int
    """Bytes of every file in the backup."""
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    counts: dict[str, int]
    mismatches: list[str]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp(now: datetime) -> str:
    """UTC to the millisecond, so names sort by time: 20261204T021500.123Z."""
    return now.strftime("%Y%m%dT%H%M%S.") + f"{now.microsecond // 1000:03d}Z"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


async def run_backup(settings: Settings, progress: Progress | None = None) -> BackupResult:
    """Make one backup of DATABASE_URL into BACKUP_DIR, then prune to BACKUP_KEEP."""
    note = progress or (lambda _stage, _n: None)
    now = datetime.now(UTC)
    root = settings.backup_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"cannot make BACKUP_DIR {root}: {error.strerror}") from None
    final = root / f"{PREFIX}{_stamp(now)}"
    suffix = 1
    while final.exists():
        suffix += 1
        final = root / f"{PREFIX}{_stamp(now)}-{suffix}"
    partial = root / f".{final.name}.partial"
    partial.mkdir()
    try:
        manifest = await _write(settings.database_url, partial, note)
        manifest["created_at"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        files = _files(partial)
        manifest["files"] = {}
        for file in files:
            manifest["files"][file.relative_to(partial).as_posix()] = sha256(file)
            note("checksums", 1)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        _fsync_tree(partial)
        os.replace(partial, final)
    except dump.DumpError as error:
        raise BackupError(str(error)) from None
    except OSError as error:
        raise BackupError(f"backup failed: {error.strerror or error}") from None
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
    size = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    pruned = prune(root, settings.backup_keep)
    return BackupResult(final, str(manifest["database"]), dict(manifest["tables"]), size, pruned)


async def _write(url: str, folder: Path, note: Progress) -> dict[str, Any]:
    """The dump, the export and the manifest's facts (all from one consistent state)."""
    if is_postgres(url):
        async with dump.postgres_snapshot(url) as (reader, snapshot):
            target = folder / "database.dump"

            dumping = asyncio.ensure_future(
                dump.run_tool(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(target)], url)
            )
            try:
                facts = await _facts_and_export(reader, folder, note)
            finally:
                await dumping
            note("dump", 1)
            return facts
    source = dump.sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no such database file: {source}")

    copy = folder / "database.sqlite3"
    await asyncio.to_thread(dump.sqlite_copy, source, copy)
    note("dump", 1)
    async with dump.sqlite_reader(copy) as reader:
        return await _facts_and_export(reader, folder, note)


async def _facts_and_export(reader: dump.Reader, folder: Path, note: Progress) -> dict[str, Any]:
    counts = await reader.counts()
    head = await reader.migration_head()
    if "participant" in counts:
        await export(folder / "export", ExportFilter(), note, (reader.fetch, reader.postgres))
    return {"format": 1, "database": reader.kind, "migration_head": head, "tables": counts}


def _fsync_tree(folder: Path) -> None:
    for file in folder.rglob("*"):
        if file.is_file():
            with file.open("rb") as handle:
                os.fsync(handle.fileno())


def backups(root: Path) -> list[Path]:
    """The complete backups in `root`, oldest first (names sort by time)."""
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith(PREFIX)]
    return sorted(p for p in found if (p / MANIFEST).is_file())


def prune(root: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups; returns those removed."""
    if keep < 1:
        return []
    old = backups(root)[:-keep]
    for path in old:
        shutil.rmtree(path)
    return old


def verify(folder: Path) -> dict[str, Any]:
    """The manifest, after checking every file's SHA-256 against it."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup (no {MANIFEST})")
    try:
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BackupError(f"{manifest_path} is not valid JSON") from None
    listed = manifest.get("files") or {}
    for name, expected in listed.items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if sha256(file) != expected:
            raise BackupError(f"{name} does not match its SHA-256 in {MANIFEST}: refusing it")
    extra = [p.relative_to(folder).as_posix() for p in _files(folder)]
    unlisted = sorted(set(extra) - set(listed))
    if unlisted:
        raise BackupError(f"{unlisted[0]} is not listed in {MANIFEST}: refusing the backup")
    return manifest


async def run_restore(
    settings: Settings, folder: Path, force: bool = False, progress: Progress | None = None
) -> RestoreResult:
    """Restore a backup folder into DATABASE_URL (see the module's description)."""
    note = progress or (lambda _stage, _n: None)
    url = settings.database_url
    manifest = verify(folder)
    note("checksums", 1)
    kind = "postgres" if is_postgres(url) else "sqlite"
    if manifest.get("database") != kind:
        raise BackupError(
            f"the backup is of a {manifest.get('database')} database; DATABASE_URL is {kind}"
        )
    try:
        async with dump.target_reader(url) as reader:
            holding = await dump.holds_data(reader)
        if holding and not force:
            rows = sum(holding.values())
            raise BackupError(
                f"the database already holds data ({rows} rows in {len(holding)} tables);"
                " use --force to replace it"
            )
        if kind == "postgres":
            args = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                    "--single-transaction", "--exit-on-error", "-d"]  # fmt: skip
            await dump.run_tool(
                [*args, dump.libpq_env(url)["PGDATABASE"], str(folder / "database.dump")], url
            )
        else:
            target = dump.sqlite_path(url)
            await asyncio.to_thread(dump.sqlite_copy, folder / "database.sqlite3", target)
        note("restore", 1)
        async with dump.target_reader(url) as reader:
            counts = await reader.counts()
    except dump.DumpError as error:
        raise BackupError(str(error)) from None
    expected: dict[str, int] = manifest.get("tables") or {}
    mismatches = [
        f"{table}: {counts.get(table, 0)} rows, the manifest says {n}"
        for table, n in sorted(expected.items())
        if counts.get(table, 0) != n
    ]
    return RestoreResult(counts, mismatches)

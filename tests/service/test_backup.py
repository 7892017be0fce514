"""Backups and restore on SQLite, and on PostgreSQL when CLIXCHAT_TEST_POSTGRES is set:
a backup restored into an empty database gives every table back row for row; a tampered
backup and a database holding data are refused with the target unchanged; BACKUP_KEEP
prunes; a failed backup leaves no folder that looks complete; no raw id or name inside."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.live import LiveFlows
from engine.core.events import Inbound
from engine.service.backup import BackupError, backups, run_backup, run_restore
from engine.service.settings import Settings
from engine.storage.dump import target_reader
from engine.storage.store import Store
from tests.support.db import HELPDESK, PRIVACY, fresh_url

USERS = {424242001: "Sunita", 424242002: "Ravi"}


@pytest.fixture(params=["sqlite", "postgres"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def two_databases(kind: str, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    async with (
        fresh_url(kind, tmp_path, "source") as source,
        fresh_url(kind, tmp_path, "target") as target,
    ):
        yield source, target


def upgrade(url: str) -> None:
    """aerich keeps its dialect in class state, so migrations run in a child process."""
    subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "db", "upgrade", "--database", url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


async def fill(url: str) -> None:
    """Migrations, then two Telegram participants part way through, and one console one."""
    upgrade(url)
    store = Store(LiveFlows([HELPDESK]), PRIVACY, database_url=url)
    try:
        update = 100
        for user in USERS:
            for text in ("/start", "Feedback", "Very useful, ok", "Profile"):
                update += 1
                await store.handle(
                    "telegram", Inbound.message(text, "en"), user_id=user, chat_id=user,
                    update_id=update,
                )  # fmt: skip
        await store.handle("console", Inbound.message("/start"), user_id=1)
    finally:
        await store.close()


async def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    async with target_reader(url) as reader:
        tables = await reader.tables()
        rows = {}
        for table in tables:
            found = await reader.fetch(f'SELECT * FROM "{table}" ORDER BY 1', [])
            rows[table] = [tuple(row.values()) for row in found]
        return rows


def settings(url: str, tmp_path: Path, keep: int = 14) -> Settings:
    return Settings(database_url=url, backup_dir=tmp_path / "backups", backup_keep=keep)


async def test_backup_restores_into_an_empty_database_row_for_row(
    kind: str, tmp_path: Path
) -> None:
    async with two_databases(kind, tmp_path) as (source, target):
        await fill(source)
        result = await run_backup(settings(source, tmp_path))
        assert (
            result.path.name.startswith("clixchat-") and result.path.parent == tmp_path / "backups"
        )
        manifest = json.loads((result.path / "manifest.json").read_text())
        assert manifest["database"] == kind
        assert manifest["migration_head"]
        assert manifest["tables"]["participant"] == 3 and manifest["tables"]["interaction"] == 9
        dumped = "database.dump" if kind == "postgres" else "database.sqlite3"
        assert set(manifest["files"]) >= {
            dumped, "export/participants.csv", "export/interactions.csv", "export/answers.csv",
            "export/answers-helpdesk.csv", "export/datapackage.json",
        }  # fmt: skip
        restored = await run_restore(settings(target, tmp_path), result.path)
        assert restored.ok, restored.mismatches
        assert await every_row(target) == await every_row(source)


async def test_a_backup_holds_no_raw_id_or_name(kind: str, tmp_path: Path) -> None:
    async with two_databases(kind, tmp_path) as (source, _target):
        await fill(source)
        result = await run_backup(settings(source, tmp_path))
        contents = b""
        for file in result.path.rglob("*"):
            if file.name == "database.dump":  # compressed: read it back as SQL text
                sql = subprocess.run(
                    ["pg_restore", "-f", "-", str(file)],
                    capture_output=True,
                    timeout=60,
                    check=True,
                )
                contents += sql.stdout
                assert b"participant" in sql.stdout
            elif file.is_file():
                contents += file.read_bytes()
        assert PRIVACY.pseudonym("telegram", 424242001).encode() in contents
        for user, name in USERS.items():
            assert str(user).encode() not in contents
            assert name.encode() not in contents


async def test_a_tampered_backup_is_refused_and_the_target_left_unchanged(
    kind: str, tmp_path: Path
) -> None:
    async with two_databases(kind, tmp_path) as (source, target):
        await fill(source)
        result = await run_backup(settings(source, tmp_path))
        answers = result.path / "export" / "answers.csv"
        answers.write_bytes(answers.read_bytes().replace(b"Very useful", b"Very useless"))
        before = await every_row(target)
        with pytest.raises(BackupError, match=r"export/answers\.csv does not match its SHA-256"):
            await run_restore(settings(target, tmp_path), result.path)
        assert await every_row(target) == before


async def test_a_database_holding_data_is_refused_unless_forced(kind: str, tmp_path: Path) -> None:
    async with two_databases(kind, tmp_path) as (source, target):
        await fill(source)
        result = await run_backup(settings(source, tmp_path))
        store = Store(LiveFlows([HELPDESK]), PRIVACY, database_url=target)
        upgrade(target)
        await store.handle("telegram", Inbound.message("/start"), user_id=777, chat_id=777)
        await store.close()
        before = await every_row(target)
        with pytest.raises(BackupError, match="already holds data"):
            await run_restore(settings(target, tmp_path), result.path)
        assert await every_row(target) == before
        forced = await run_restore(settings(target, tmp_path), result.path, force=True)
        assert forced.ok, forced.mismatches
        assert await every_row(target) == await every_row(source)


async def test_backup_keep_prunes_the_oldest(tmp_path: Path) -> None:
    async with fresh_url("sqlite", tmp_path, "source") as source:
        await fill(source)
        made = [(await run_backup(settings(source, tmp_path, keep=2))).path for _ in range(4)]
        assert backups(tmp_path / "backups") == made[2:]
        assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [
            p.name for p in made[2:]
        ]


async def test_a_failed_backup_leaves_nothing_that_looks_complete(tmp_path: Path) -> None:
    missing = f"sqlite://{tmp_path / 'no-such.db'}"
    with pytest.raises(BackupError, match="no such database file"):
        await run_backup(settings(missing, tmp_path))
    assert list((tmp_path / "backups").iterdir()) == []
    unreachable = "postgres://postgres@127.0.0.1:1/nothing"
    with pytest.raises(BackupError, match="cannot connect"):
        await run_backup(settings(unreachable, tmp_path))
    assert list((tmp_path / "backups").iterdir()) == []

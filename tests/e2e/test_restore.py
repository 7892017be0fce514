"""After a backup is restored into an empty database, a participant carries on through the
webhook exactly where they were (SQLite, and PostgreSQL when CLIXCHAT_TEST_POSTGRES is set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.service.backup import run_backup, run_restore
from engine.service.settings import Settings
from tests.e2e.stack import running_stack
from tests.service.test_backup import upgrade
from tests.support import updates as u
from tests.support.db import fresh_url

USER = 555000222


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_a_participant_continues_after_backup_and_restore(kind: str, tmp_path: Path) -> None:
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    ids = u.UpdateIds(700)
    async with (
        fresh_url(kind, tmp_path, "source") as source,
        fresh_url(kind, tmp_path, "target") as target,
    ):
        if kind == "postgres":
            upgrade(source)
        async with running_stack(tmp_path / "before", DATABASE_URL=source) as stack:
            await stack.say(u.command(ids, USER, "/start"), USER)
            (question,) = await stack.say(u.message(ids, USER, "Profile"), USER)
            assert question.text == "How many years have you been teaching?"
            await stack.settle()

        backup = await run_backup(Settings(database_url=source, backup_dir=tmp_path / "b"))
        restored = await run_restore(Settings(database_url=target), backup.path)
        assert restored.ok, restored.mismatches

        async with running_stack(tmp_path / "after", DATABASE_URL=target) as stack:
            replies = await stack.say(u.message(ids, USER, "12"), USER, expect=2)
            assert [r.text for r in replies] == [
                "Thank you for 12 years of teaching.",
                "Hello teacher! Choose a topic.",
            ]

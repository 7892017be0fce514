"""The committed aerich migrations build exactly the schema the models describe."""

from __future__ import annotations

import contextvars
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.connection import connections

from engine.storage import db, schema_upgrade
from tests.support.db import fresh_url

COLUMNS = {
    "sqlite": "SELECT m.name AS t, p.name AS c, p.type AS ty FROM sqlite_master m "
    "JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    "postgres": "SELECT table_name AS t, column_name AS c, data_type AS ty "
    "FROM information_schema.columns WHERE table_schema = 'public'",
}


async def _schema(url: str, kind: str, generate: bool) -> set[tuple[str, str, str]]:
    async def read() -> set[tuple[str, str, str]]:
        await Tortoise.init(config=db.tortoise_config(url, with_aerich=False))
        try:
            if generate:
                await Tortoise.generate_schemas()
            rows = await connections.get("default").execute_query_dict(COLUMNS[kind])
        finally:
            await Tortoise.close_connections()
        return {(r["t"], r["c"], str(r["ty"]).lower()) for r in rows if r["t"] != "aerich"}

    import asyncio

    return await asyncio.create_task(read(), context=contextvars.Context())


def _upgrade_in_child(url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "db", "upgrade", "--database", url],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_migrations_match_the_models(kind: str, tmp_path: Path) -> None:
    async with (
        fresh_url(kind, tmp_path, "migrated") as migrated,
        fresh_url(kind, tmp_path, "models") as models,
    ):
        # A process runs one dialect (aerich keeps its dialect in class state): upgrade in a child.
        first, again = _upgrade_in_child(migrated), _upgrade_in_child(migrated)
        committed = sorted(
            Path(schema_upgrade.migrations_dir(migrated), "models").glob("[0-9]*_*.py")
        )
        assert first.startswith(f"applied {len(committed)} migration(s)")
        assert again.startswith("applied 0 migration(s)")
        from_migrations = await _schema(migrated, kind, generate=False)
        from_models = await _schema(models, kind, generate=True)
    assert from_migrations == from_models
    assert {t for t, _, _ in from_models} >= {
        "participant",
        "interaction",
        "flow_revision",
        "processed_update",
        "job_run",
    }


def test_sqlite_is_tuned_for_a_single_process() -> None:
    url = db.tuned_url("sqlite://clixchat.db")
    assert "journal_mode=WAL" in url and "synchronous=NORMAL" in url
    assert db.tuned_url("postgres://u@h/db") == "postgres://u@h/db"

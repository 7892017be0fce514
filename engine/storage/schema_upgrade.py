"""`clixchat db upgrade`: applying the committed aerich schema migrations to a database.

aerich writes SQL for one dialect, so each dialect keeps its own folder of migrations
(engine/storage/migrations/{sqlite,postgres}); they ship inside the package.
"""

from __future__ import annotations

from pathlib import Path

from engine.storage.db import is_postgres, tortoise_config


def migrations_dir(url: str) -> str:
    """aerich writes SQL for one dialect, so each dialect keeps its own migrations folder."""
    dialect = "postgres" if is_postgres(url) else "sqlite"
    return str(Path(__file__).parent / "migrations" / dialect)


async def upgrade(url: str) -> list[str]:
    """Apply the committed aerich migrations for this database's dialect; returns those applied.

    aerich's Tortoise setup runs in a context of its own, so it never leaks into the caller's."""
    import asyncio
    import contextvars

    return await asyncio.create_task(_upgrade(url), context=contextvars.Context())


async def _upgrade(url: str) -> list[str]:
    from aerich import Command

    command = Command(
        tortoise_config=tortoise_config(url), app="models", location=migrations_dir(url)
    )
    await command.init()
    try:
        applied: list[str] = await command.upgrade(run_in_transaction=True)
    finally:
        await command.aclose()
    return applied

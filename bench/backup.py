"""`clixchat backup` and `clixchat restore` at scale on PostgreSQL: the 100,000-participant,
1,000,000-interaction database of the export benchmark.

    .venv/bin/python bench/backup.py [--participants 100000] [--interactions 1000000]
                                     [--postgres URL]

Prints the backup's time, peak RSS and sizes (dump, CSV export), then the restore's time into
an empty database (row counts compared with the manifest by restore itself).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # type: ignore[import-untyped]

from bench.export import child
from bench.research_data import _dsn, filled


def _size(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres", default=os.environ.get("CLIXCHAT_TEST_POSTGRES")
        or "postgres://postgres@127.0.0.1:5432/postgres",
    )  # fmt: skip
    args = parser.parse_args()
    async with filled(args.postgres, args.participants, args.interactions) as url:
        print(f"filled {args.participants:,} participants, {args.interactions:,} interactions")
        with tempfile.TemporaryDirectory() as folder:
            seconds, peak = child(["backup", "--dir", folder], url)
            (backup,) = Path(folder).iterdir()
            print(f"backup: {seconds:.1f} s, peak RSS {peak:.0f} MB;"
                  f" database.dump {_size(backup / 'database.dump'):.0f} MB,"
                  f" export/ {_size(backup / 'export'):.0f} MB")  # fmt: skip
            name = f"clixchat_bench_{uuid.uuid4().hex[:10]}"
            admin = await asyncpg.connect(_dsn(args.postgres))
            await admin.execute(f'CREATE DATABASE "{name}"')
            try:
                target = urlunsplit(urlsplit(args.postgres)._replace(path=f"/{name}"))
                seconds, peak = child(["restore", str(backup)], target)
                print(f"restore into an empty database: {seconds:.1f} s, peak RSS {peak:.0f} MB")
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await admin.close()


if __name__ == "__main__":
    asyncio.run(main())

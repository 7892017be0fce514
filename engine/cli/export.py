"""`clixchat export`: the research export (CSV files and datapackage.json) into a folder."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.service.settings import load_settings
from engine.storage.export import ExportFilter, ExportResult, Progress, parse_date


@contextmanager
def progress_bar(label: str) -> Iterator[Progress | None]:
    """A rich progress bar on a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        tasks: dict[str, Any] = {}

        def advance(stage: str, rows: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{label} {stage}", total=None)
            bar.advance(tasks[stage], rows)

        yield advance


async def _export(url: str, out: Path, filters: ExportFilter) -> ExportResult:
    from engine.storage import db
    from engine.storage.export import export

    try:
        await db.connect(url)
    except Exception as error:
        from engine.cli.data import DataError

        raise DataError(f"cannot open the database ({type(error).__name__})") from None
    try:
        with progress_bar("export") as progress:
            return await export(out, filters, progress)
    finally:
        await db.close()


def cmd_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    filters = ExportFilter(
        flow=args.flow,
        since=parse_date(args.since) if args.since else None,
        until=parse_date(args.until, end=True) if args.until else None,
        include_test=args.include_test,
    )
    out = Path(args.out)
    result = asyncio.run(_export(settings.database_url, out, filters))
    print(
        f"exported {result.participants} participant(s), {result.interactions} interaction(s),"
        f" {result.answers} answer(s) to {out}"
    )
    return 0


def add_commands(commands: Any) -> None:
    export = commands.add_parser("export", help="research CSV files and datapackage.json")
    export.add_argument("--out", default="export", metavar="DIR", help="default: ./export")
    export.add_argument("--flow", metavar="ID", help="only this flow")
    export.add_argument("--since", metavar="DATE", help="interactions from this day (UTC)")
    export.add_argument("--until", metavar="DATE", help="interactions up to this day (UTC)")
    export.add_argument(
        "--include-test", action="store_true", help="include console and simulator participants"
    )
    export.set_defaults(run=cmd_export)

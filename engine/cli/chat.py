"""`clixchat chat`: the console simulator, recorded like a real participant on channel "console".

A second run continues where the first stopped (the conversation lives in DATABASE_URL);
`--fresh` starts over, `--memory` keeps nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from engine.authoring.library import FlowLibrary
from engine.channels.console import Handle, run_lines, run_script, transcript
from engine.core.conversation import Conversation
from engine.core.events import Inbound
from engine.core.inputs import SCRIPT_HELP, parse_input
from engine.core.runtime import Runtime, Turn
from engine.service.settings import ConfigError, load_settings

CONSOLE_USER = "console"


def cmd_chat(args: argparse.Namespace, library: FlowLibrary) -> int:
    lines: list[str] | None = None
    if args.script:
        script = Path(args.script)
        if not script.is_file():
            raise ConfigError(f"no such script file: {args.script}")
        lines = script.read_text(encoding="utf-8").splitlines()
    if args.memory:
        runtime = Runtime(library.flows, library.main)
        conv = Conversation()
        if lines is not None:
            run_lines(runtime, conv, lines, sys.stdout, args.language)
            return 0
        return asyncio.run(
            _interactive_async(lambda event: _sync(runtime.handle(conv, event)), args.language)
        )
    return asyncio.run(_durable(args, library, lines))


async def _sync(turn: Turn) -> Turn:
    return turn


async def _durable(args: argparse.Namespace, library: FlowLibrary, lines: list[str] | None) -> int:
    from engine.authoring.live import LiveFlows
    from engine.storage import db, schema_upgrade
    from engine.storage.privacy import CONSOLE_SECRET, Privacy
    from engine.storage.store import Store

    settings = load_settings()
    await db.check_reachable(settings.database_url)
    if not db.is_postgres(settings.database_url):
        await schema_upgrade.upgrade(settings.database_url)
    store = Store(
        LiveFlows.from_library(library),
        Privacy(settings.secret or CONSOLE_SECRET),
        database_url=settings.database_url,
    )
    try:
        if args.fresh:
            await store.reset("console", CONSOLE_USER)

        async def handle(event: Inbound) -> Turn:
            delivery = await store.handle("console", event, user_id=CONSOLE_USER)
            assert delivery.turn is not None
            return delivery.turn

        if lines is not None:
            await run_script(handle, lines, sys.stdout, None, args.language)
            return 0
        return await _interactive_async(handle, args.language)
    finally:
        await store.close()


async def _interactive_async(handle: Handle, language: str | None) -> int:
    print(f"CLIxChat console. Type anything to begin or continue; Ctrl-D ends.\n{SCRIPT_HELP}\n")
    where: str | None = None
    loop = asyncio.get_running_loop()
    while True:
        try:
            line = await loop.run_in_executor(None, input, "you> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line.strip():
            turn = await handle(parse_input(line, where, language))
            where = turn.after
            for text in transcript(turn):
                print(text)

"""`clixchat scheduler`: the scheduled jobs alone, without the web server (for a host or a unit
of its own). Like `serve`, it stands by while another process holds the scheduler lock."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from typing import Any

from engine.service.logs import configure_logging
from engine.service.settings import load_settings

log = logging.getLogger("clixchat.scheduler")


async def _run() -> int:
    from engine.service.wiring import build_services

    services = build_services(load_settings(), webhook=False)  # no webhook served here
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await services.start()
    log.info("scheduler process started; SIGTERM or Ctrl-C stops it")
    try:
        await stop.wait()
    finally:
        await services.stop()
    log.info("scheduler process stopped")
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    configure_logging()
    return asyncio.run(_run())


def add_commands(commands: Any) -> None:
    scheduler = commands.add_parser(
        "scheduler",
        help="run the scheduled jobs (timeouts, certificates) without the web server",
    )
    scheduler.set_defaults(run=cmd_scheduler)

"""Commands that run the service or talk to Telegram: `serve`, `poll`, `webhook set|info|delete`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from typing import Any

from engine.service.logs import configure_logging
from engine.service.settings import ConfigError, load_settings
from engine.storage import db

log = logging.getLogger("clixchat.serve")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from engine.service.wiring import check

    settings = load_settings()
    if args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {args.workers}")
    check(settings)
    if args.workers > 1 and not db.is_postgres(settings.database_url):
        raise ConfigError(
            "SQLite is single-process; use PostgreSQL (DATABASE_URL) for --workers > 1"
        )
    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port must be 1-65535, not {args.port}")
    _port_free(args.host, args.port)
    asyncio.run(db.check_reachable(settings.database_url))
    configure_logging()
    where = f"http://{args.host}:{args.port}"
    mode = (
        "Telegram webhook at /bot/"
        if settings.telegram_token
        else f"simulator at {where}/simulator"
    )
    log.info(
        "CLIxChat serving %s (%s; database %s)", where, mode, settings.database_url.split("://")[0]
    )
    # uvicorn's worker processes read their settings from the environment: the worker count is
    # passed on as the CLIXCHAT_WORKERS setting (they share the bot's send rate).
    os.environ["CLIXCHAT_WORKERS"] = str(args.workers)
    uvicorn.run(
        "web.asgi:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=False,
    )
    return 0


def _port_free(host: str, port: int) -> None:
    """Fail in one line before start-up when another program holds the port."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise ConfigError(f"--host {host} is not an address of this machine") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise ConfigError(
                f"cannot listen on {host}:{port}: {error.strerror or error} "
                "(another program holds the port? choose one with --port)"
            ) from None


async def _poll(once: bool) -> int:
    from aiogram.types import Update

    from engine.service.wiring import ALLOWED_UPDATES, build_services, make_bot

    settings = load_settings()
    if not settings.telegram_token:
        raise ConfigError("poll needs TELEGRAM_TOKEN")
    services = build_services(settings, webhook=False)
    bot = make_bot(settings)
    registered = await bot.get_webhook_info()
    if registered.url:
        log.warning(
            "poll: a webhook is registered with Telegram; deleting it so that long polling "
            "receives the updates (pending updates are kept; `clixchat webhook set` restores it)"
        )
        await bot.delete_webhook(drop_pending_updates=False)
    telegram = services.telegram
    assert telegram is not None  # a token is set
    await services.start()
    offset: int | None = None
    handled = 0
    try:
        while True:
            updates: list[Update] = await bot.get_updates(
                offset=offset, timeout=1 if once else 25, allowed_updates=ALLOWED_UPDATES
            )
            for update in updates:
                offset = update.update_id + 1
                try:
                    await telegram.handle(update)
                    handled += 1
                except Exception as error:  # the class only: its text may quote a participant
                    log.error(
                        "update %d failed (%s); it is not acknowledged",
                        update.update_id,
                        type(error).__name__,
                    )
                    offset = update.update_id
                    break
            if once and not updates:
                if services.sender is not None and not await services.sender.drain():
                    log.warning("poll: replies still unsent after 30 s; they wait in the outbox")
                break
    finally:
        await services.stop()
        await bot.session.close()
    log.info("poll: %d update(s) handled", handled)
    return 0


def cmd_poll(args: argparse.Namespace) -> int:
    configure_logging()
    try:
        return asyncio.run(_poll(args.once))
    except KeyboardInterrupt:
        return 0


async def _webhook(action: str) -> dict[str, Any]:
    from engine.service.wiring import ALLOWED_UPDATES, check, make_bot

    settings = load_settings()
    bot = make_bot(settings)
    try:
        if action == "set":
            if not settings.public_url or not settings.public_url.startswith("https://"):
                raise ConfigError(
                    "PUBLIC_URL must be the https base of this server, e.g. https://bot.example.org"
                )
            check(settings)
            url = settings.public_url.rstrip("/") + "/bot/"
            await bot.set_webhook(
                url=url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                max_connections=40,
            )
            return {"set": url, "allowed_updates": ALLOWED_UPDATES, "max_connections": 40}
        if action == "delete":
            await bot.delete_webhook(drop_pending_updates=False)
            return {"deleted": True}
        info = await bot.get_webhook_info()
        return info.model_dump(exclude_none=True, mode="json")
    finally:
        await bot.session.close()


def cmd_webhook(args: argparse.Namespace) -> int:
    print(json.dumps(asyncio.run(_webhook(args.action)), indent=2, default=str))
    return 0


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the webhook, simulator, dashboard and scheduler")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="more than 1 needs PostgreSQL")
    serve.set_defaults(run=cmd_serve)

    poll = commands.add_parser("poll", help="long polling with a real token, for development")
    poll.add_argument("--once", action="store_true", help="stop when no update is waiting")
    poll.set_defaults(run=cmd_poll)

    hook = commands.add_parser(
        "webhook", help="register PUBLIC_URL/bot/ with Telegram, or inspect it"
    )
    hook.add_argument("action", choices=("set", "info", "delete"))
    hook.set_defaults(run=cmd_webhook)

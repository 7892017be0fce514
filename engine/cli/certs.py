"""`clixchat certs check`: one line about the TLS certificate, exit 0/1/2 (monitoring plugins)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from engine.service.certs import check
from engine.service.settings import ConfigError, load_settings


def cmd_certs(args: argparse.Namespace) -> int:
    settings = load_settings()
    result = asyncio.run(check(settings, path=args.path, host=args.host))
    if result is None:
        raise ConfigError("set CERT_PATH or CERT_HOST, or give --path FILE or --host HOST[:PORT]")
    print(result.line)
    return result.status


def add_commands(commands: Any) -> None:
    certs = commands.add_parser(
        "certs",
        help="check the TLS certificate's expiry (exit 0 ok, 1 within CERT_WARN_DAYS, 2 expired)",
    )
    certs.add_argument("action", choices=("check",))
    where = certs.add_mutually_exclusive_group()
    where.add_argument("--path", metavar="FILE", help="a PEM file (default: CERT_PATH)")
    where.add_argument(
        "--host", metavar="HOST[:PORT]", help="a TLS server, port 443 unless given (CERT_HOST)"
    )
    certs.set_defaults(run=cmd_certs)

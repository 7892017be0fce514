"""`clixchat admin create|list|password|remove`: dashboard accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from engine.cli.data import DataError
from engine.service.settings import load_settings
from engine.storage import accounts

T = TypeVar("T")


def _read_password() -> str:
    """Asked twice on a terminal; otherwise the first line of stdin."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise DataError("the two passwords differ")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise DataError("no password on the first line of stdin")
    return line


def _run(work: Callable[[], Awaitable[T]]) -> T:
    from engine.storage import db

    async def go() -> T:
        url = load_settings().database_url
        try:
            await db.connect(url)
        except Exception as error:
            raise DataError(f"cannot open the database: {type(error).__name__}: {error}") from None
        try:
            return await work()
        except accounts.AccountError as error:
            raise DataError(str(error)) from None
        except DataError:
            raise
        except Exception as error:  # a missing table, a database gone
            raise DataError(
                f"database error ({type(error).__name__}: {error}); "
                "has `clixchat db upgrade` been run?"
            ) from None
        finally:
            await db.close()

    return asyncio.run(go())


def cmd_admin(args: argparse.Namespace) -> int:
    if args.action == "create":
        password = _read_password()
        made = _run(lambda: accounts.create(args.user, password, args.role))
        print(f"created {made.role} {made.username}")
    elif args.action == "list":
        for view in _run(accounts.listing):
            last = view.last_login.isoformat(timespec="seconds") if view.last_login else "never"
            print(f"{view.username}\t{view.role}\tlast login {last}")
    elif args.action == "password":
        password = _read_password()
        _run(lambda: accounts.set_password(args.user, password))
        print(f"password changed for {args.user}")
    else:
        _run(lambda: accounts.remove(args.user))
        print(f"removed {args.user}")
    return 0


def add_commands(commands: Any) -> None:
    admin = commands.add_parser("admin", help="dashboard accounts")
    actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make an account (password asked twice)")
    create.add_argument("user", metavar="USER")
    create.add_argument("--role", choices=accounts.ROLES, default="viewer")
    actions.add_parser("list", help="every account, its role and last login")
    password = actions.add_parser("password", help="set a new password")
    password.add_argument("user", metavar="USER")
    remove = actions.add_parser("remove", help="delete an account")
    remove.add_argument("user", metavar="USER")
    admin.set_defaults(run=cmd_admin)

"""Dashboard accounts: create, list, change password, remove, check a login (argon2id)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from engine.storage.models import Account

ROLES = ("viewer", "admin")
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(Exception):
    """A one-line reason an account command cannot go on."""


@dataclass(frozen=True)
class AccountView:
    username: str
    role: str
    created_at: datetime
    last_login: datetime | None


def _check_username(username: str) -> None:
    if not USERNAME.match(username):
        raise AccountError(
            f"bad username {username!r}: use 1-64 letters, digits, '_', '.', '@' or '-'"
        )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")


async def create(username: str, password: str, role: str = "viewer") -> AccountView:
    _check_username(username)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: viewer or admin")
    _check_password(password)
    if await Account.filter(username=username).exists():
        raise AccountError(f"account {username!r} exists already")
    account = await Account.create(
        username=username, password_hash=_hasher.hash(password), role=role
    )
    return _view(account)


async def listing() -> list[AccountView]:
    return [_view(a) for a in await Account.all().order_by("username")]


async def set_password(username: str, password: str) -> None:
    _check_password(password)
    updated = await Account.filter(username=username).update(password_hash=_hasher.hash(password))
    if not updated:
        raise AccountError(f"no account {username!r}")


async def remove(username: str) -> None:
    if not await Account.filter(username=username).delete():
        raise AccountError(f"no account {username!r}")


async def authenticate(username: str, password: str) -> AccountView | None:
    """The account when the password is right (and its last login updated), else None.
    An unknown user costs one hash check too, so timing tells nothing."""
    account = await Account.get_or_none(username=username)
    if account is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(account.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    account.last_login = datetime.now(UTC)
    fields = ["last_login"]
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
        fields.append("password_hash")
    await account.save(update_fields=fields)
    return _view(account)


async def role_of(username: str) -> str | None:
    """The current role of a signed-in user (None once the account is removed)."""
    account = await Account.get_or_none(username=username)
    return account.role if account else None


def _view(account: Account) -> AccountView:
    return AccountView(account.username, account.role, account.created_at, account.last_login)

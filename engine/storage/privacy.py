"""Pseudonyms and encrypted chat ids, both keyed by CLIXCHAT_SECRET."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

CONSOLE_SECRET = "clixchat-console-not-secret"
"""Used only by `clixchat chat` and tests when CLIXCHAT_SECRET is not set."""


class Privacy:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("CLIXCHAT_SECRET is empty; set it to a long random string")
        self._key = hashlib.sha256(b"clixchat/pseudonym\0" + secret.encode()).digest()
        fernet_key = hashlib.sha256(b"clixchat/chat-id\0" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(fernet_key))

    def pseudonym(self, channel: str, user_id: int | str) -> str:
        """A stable pseudonym: HMAC-SHA256 of channel and user id; the id itself is never kept."""
        message = f"{channel}:{user_id}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def seal(self, chat_id: int | str) -> str:
        return self._fernet.encrypt(str(chat_id).encode()).decode()

    def open(self, token: str) -> int | None:
        try:
            return int(self._fernet.decrypt(token.encode()).decode())
        except (InvalidToken, ValueError):
            return None

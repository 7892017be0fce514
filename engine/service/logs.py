"""Logging set-up, the one place it is configured (commands, `serve` and each uvicorn worker).

Log lines carry counts, outcomes and pseudonyms, never what a participant typed, their name or a
raw Telegram id.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """INFO to stderr with time and level."""
    logging.basicConfig(level=level, format=FORMAT)

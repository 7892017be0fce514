"""`date`: 25/12/2026, 25-12-2026, 25.12.2026, ISO and a few spelt forms; saved as ISO; `min` and
`max` (ISO dates) are inclusive."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from engine.core.asks.base import AskType, Checked, Words, refuse
from engine.core.events import Inbound
from engine.core.text import ascii_digits

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y")


def check(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    if event.kind != "text":
        return refuse("retry_date")
    raw = " ".join(ascii_digits(event.text).split())
    for form in DATE_FORMATS:
        try:
            value = datetime.strptime(raw, form).date()
        except ValueError:
            continue
        low, high = options.get("min"), options.get("max")
        if (low and value < date.fromisoformat(low)) or (high and value > date.fromisoformat(high)):
            return refuse("retry_date_range")
        return Checked(True, value.isoformat())
    return refuse("retry_date")


DATE = AskType("date", check, retry="retry_date")

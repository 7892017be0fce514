"""`yes_no`: Yes/No buttons, or yes/no typed in English, Hindi or Hinglish, or the flow's own
words for Yes and No; saved as true or false."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.core.asks.base import AskType, Checked, Rows, Words, refuse
from engine.core.events import Button, Inbound
from engine.core.text import normalize

YES = frozenset(
    {"yes", "y", "yeah", "yep", "ok", "haan", "han", "ha", "haa", "ji", "हाँ", "हां", "हा", "जी"}
)
NO = frozenset({"no", "n", "nope", "nahi", "nahin", "na", "नहीं", "नही", "ना"})


def check(event: Inbound, options: Mapping[str, Any], words: Words) -> Checked:
    if event.kind != "text":
        return refuse("retry_yes_no")
    word = normalize(event.text).strip(".!")
    if word in YES or word == "1" or word == normalize(words("yes")):
        return Checked(True, True)
    if word in NO or word == "2" or word == normalize(words("no")):
        return Checked(True, False)
    return refuse("retry_yes_no")


def buttons(words: Words, tag: str) -> Rows:
    return ((Button(words("yes"), f"{tag}:y"), Button(words("no"), f"{tag}:n")),)


def button_answer(code: str) -> Inbound | None:
    return {"y": Inbound("text", "yes"), "n": Inbound("text", "no")}.get(code)


YES_NO = AskType(
    "yes_no", check, retry="retry_yes_no", buttons=buttons, button_answer=button_answer
)

"""The console simulator: a flow in a terminal, with numbered buttons and media placeholders."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TextIO

from engine.core.conversation import Conversation
from engine.core.events import Inbound, Outbound
from engine.core.runtime import Runtime, Turn

_LOCATION = re.compile(r"^\[location\s+(-?\d+(?:\.\d+)?)[\s,]+(-?\d+(?:\.\d+)?)\]$")
_MEDIA = re.compile(r"^\[(photo|document|audio|video|voice|sticker|contact)\]$")
_BUTTON = re.compile(r"^\[button\s+(.+)\]$")

SCRIPT_HELP = """\
Script lines (and what you type in the console): plain text is a message; /start, /back,
/language ... are commands; [photo] [document] [voice] [sticker] [contact] send media;
[location 19.07 72.87] sends a location; [button DATA] taps an inline button; [timeout]
fires the waiting node's timeout; lines starting with # and blank lines are skipped."""


def parse_input(line: str, where: str | None, language: str | None = None) -> Inbound:
    """Turn one console line into an inbound event (`where`: the participant's "flow:node")."""
    stripped = line.strip()
    if stripped == "[timeout]":
        return Inbound.timer(where or "")
    match = _LOCATION.match(stripped)
    if match:
        value = {"lat": float(match.group(1)), "lon": float(match.group(2))}
        return Inbound.attachment("location", value, language)
    match = _MEDIA.match(stripped)
    if match:
        return Inbound.attachment(match.group(1), f"console-{match.group(1)}", language)
    match = _BUTTON.match(stripped)
    if match:
        return Inbound.button(match.group(1).strip(), language)
    return Inbound.message(line, language)


def render_message(message: Outbound) -> list[str]:
    """One outbound message as console lines: text, media placeholder, numbered buttons."""
    lines: list[str] = []
    if message.media_kind:
        where = message.media or ""
        lines.append(
            f"[{message.media_kind}: {where}]" + (f" {message.text}" if message.text else "")
        )
    else:
        lines.extend(message.text.splitlines() or [""])
    if message.keyboard == "remove":
        return lines
    number = 0
    for row in message.buttons:
        cells = []
        for button in row:
            if button.data.startswith("~") or button.request:
                cells.append(f"[{button.label}]")
            else:
                number += 1
                cells.append(f"[{number}] {button.label}")
        lines.append("  ".join(cells))
    return lines


def transcript(turn: Turn) -> list[str]:
    out: list[str] = []
    for message in turn.messages:
        for index, line in enumerate(render_message(message)):
            out.append(("bot> " if index == 0 else "     ") + line)
    return out


Handle = Callable[[Inbound], Awaitable[Turn]]


def script_lines(lines: Iterable[str]) -> list[str]:
    return [
        line.rstrip("\n") for line in lines if line.strip() and not line.lstrip().startswith("#")
    ]


def run_lines(
    runtime: Runtime,
    conv: Conversation,
    lines: Iterable[str],
    out: TextIO,
    language: str | None = None,
) -> int:
    """Feed lines to an in-memory conversation, printing a transcript; returns inputs fed."""
    fed = 0
    for line in script_lines(lines):
        turn = runtime.handle(conv, parse_input(line, conv.where, language))
        fed += 1
        print(f"you> {line}", file=out)
        for text in transcript(turn):
            print(text, file=out)
    return fed


async def run_script(
    handle: Handle,
    lines: Iterable[str],
    out: TextIO,
    where: str | None,
    language: str | None = None,
) -> str | None:
    """Feed lines through `handle` (e.g. the durable store), printing the transcript."""
    for line in script_lines(lines):
        turn = await handle(parse_input(line, where, language))
        where = turn.after
        print(f"you> {line}", file=out)
        for text in transcript(turn):
            print(text, file=out)
    return where

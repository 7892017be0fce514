"""The console simulator: a flow in a terminal, with numbered buttons and media placeholders.

Its inputs (and those of flow tests) are read by engine.core.inputs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TextIO

from engine.core.conversation import Conversation
from engine.core.events import Inbound, Outbound
from engine.core.inputs import parse_input
from engine.core.runtime import Runtime, Turn


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

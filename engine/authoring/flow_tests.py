"""Flow tests: scripted conversations (`flows/tests/<flow>/*.chat`) run through the runtime.

A `.chat` file holds one conversation, one step a line:

    # a teacher goes to the maths handbook        <- a comment (and `# language: hi`)
    > /start                                      <- what the user sends (console inputs)
    Hello teacher! Choose a topic.                <- what the bot answers, line by line:
    [Modules] [Feedback]                             a text's lines, `[kind: where] caption`
                                                     for media, and the buttons on one line

Each difference is reported as `file:line: expected … got …`; `--update` rewrites the expected
lines from what the flow does now. Blank lines are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.authoring.library import FlowLibrary
from engine.core.conversation import Conversation
from engine.core.events import Outbound
from engine.core.inputs import parse_input
from engine.core.runtime import Runtime

START_TIME = 1_000_000.0
"""The clock of a flow test: one second per step, so `expire_after` never interferes."""


class ChatFileError(ValueError):
    """A malformed .chat line, as `file:line: message`."""


@dataclass
class Step:
    line: int
    text: str
    expected: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ChatFile:
    path: Path
    flow: str
    language: str | None
    steps: list[Step]
    lines: list[str]


@dataclass
class Outcome:
    path: Path
    differences: list[str]
    visited: set[str]
    actual: list[list[str]]


def read_chat(path: Path, flow: str) -> ChatFile:
    lines = path.read_text(encoding="utf-8").splitlines()
    steps: list[Step] = []
    language: str | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.startswith("#"):
            directive = line[1:].strip()
            if directive.lower().startswith("language:"):
                language = directive.split(":", 1)[1].strip() or None
            continue
        if line.startswith(">"):
            if not line.startswith("> ") or not line[2:].strip():
                raise ChatFileError(
                    f"{path}:{number}: an input line is '> ' and what the user sends"
                )
            steps.append(Step(number, line[2:]))
            continue
        if not steps:
            raise ChatFileError(
                f"{path}:{number}: a reply line before any input; start with '> /start'"
            )
        steps[-1].expected.append((number, line))
    if not steps:
        raise ChatFileError(f"{path}:1: no '> ' input line: nothing to run")
    return ChatFile(path, flow, language, steps, lines)


def render(message: Outbound) -> list[str]:
    """One message as .chat lines."""
    lines: list[str] = []
    if message.media_kind:
        where = message.media or message.path or ""
        lines.append(
            f"[{message.media_kind}: {where}]" + (f" {message.text}" if message.text else "")
        )
    else:
        lines.extend(line for line in message.text.splitlines() if line.strip())
    if message.keyboard != "remove" and message.buttons:
        lines.append(" ".join(f"[{b.label}]" for row in message.buttons for b in row))
    return lines


def run_chat(chat: ChatFile, library: FlowLibrary) -> Outcome:
    runtime = Runtime(library.flows, chat.flow)
    conv = Conversation()
    differences: list[str] = []
    visited: set[str] = set()
    actual: list[list[str]] = []
    for index, step in enumerate(chat.steps):
        event = parse_input(step.text, conv.where, chat.language)
        turn = runtime.handle(conv, event, now=START_TIME + index)
        visited.update(turn.visited)
        got = [line for message in turn.messages for line in render(message)]
        actual.append(got)
        for position in range(max(len(got), len(step.expected))):
            want = step.expected[position] if position < len(step.expected) else None
            have = got[position] if position < len(got) else None
            if want is not None and want[1] == have:
                continue
            where = want[0] if want is not None else (step.expected or [(step.line, "")])[-1][0]
            expected = repr(want[1]) if want is not None else "nothing more"
            differences.append(
                f"{chat.path}:{where}: expected {expected} got "
                + (repr(have) if have is not None else "nothing")
            )
    return Outcome(chat.path, differences, visited, actual)


def rewrite(chat: ChatFile, outcome: Outcome) -> str:
    """The file with every step's expected lines replaced by what the flow answered."""
    expected_lines = {number for step in chat.steps for number, _ in step.expected}
    replies = {step.line: got for step, got in zip(chat.steps, outcome.actual, strict=True)}
    out: list[str] = []
    for number, line in enumerate(chat.lines, 1):
        if number in expected_lines:
            continue
        out.append(line)
        if number in replies:
            out.extend(replies[number])
    return "\n".join(out) + "\n"


def chat_files(paths: Sequence[Path]) -> list[Path]:
    """.chat files under the paths (folders searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.rglob("*.chat")) if path.is_dir() else [path])
    return list(dict.fromkeys(found))


def uncovered(library: FlowLibrary, flow: str, visited: Iterable[str]) -> list[str]:
    """Nodes of `flow` that no conversation passed through."""
    seen = set(visited)
    return [node for node in library.flows[flow].nodes if f"{flow}:{node}" not in seen]

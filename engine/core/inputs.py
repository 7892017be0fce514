"""What a designer types in the console, a script or a flow test, as an engine event: plain text,
commands, `[photo]`-style media, `[location LAT LON]`, `[button DATA]` and `[timeout]`."""

from __future__ import annotations

import re

from engine.core.events import Inbound

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

"""Buttons for a waiting node: its choices (or Yes/No, or Share location) plus Back and Restart."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from engine.core.asks import ask_type
from engine.core.builtin_texts import builtin
from engine.core.events import Button
from engine.core.flow import Flow, Node
from engine.core.text import localize, render
from engine.core.vocabulary import KeyboardKind

BACK_DATA = "~back"
RESTART_DATA = "~restart"


@lru_cache(maxsize=65536)
def node_tag(flow_id: str, node_id: str) -> str:
    """A short, stable tag for a node inside callback data (which Telegram caps at 64 bytes)."""
    return hashlib.sha1(f"{flow_id}:{node_id}".encode()).hexdigest()[:8]


def label(flow: Flow, key: str, language: str) -> str:
    """A built-in label or message, as the flow's `labels` override it."""
    override = flow.labels.get(key)
    if override is not None:
        return localize(override, language, flow.languages)
    return builtin(key, language)


def keyboard_for(
    flow: Flow,
    node: Node,
    language: str,
    variables: dict[str, object],
    can_go_back: bool,
) -> tuple[KeyboardKind, tuple[tuple[Button, ...], ...]]:
    """The keyboard shown with a waiting node (or with an end node: Restart only)."""
    kind: KeyboardKind = flow.keyboard
    tag = node_tag(flow.id, node.id)
    rows: list[tuple[Button, ...]] = []
    for index, choice in enumerate(node.choices):
        text = render(localize(choice.label, language, flow.languages), variables)
        rows.append((Button(text, f"{tag}:{index}"),))
    if node.ask is not None:
        ask = ask_type(node.ask.type)
        rows.extend(ask.buttons(lambda key: label(flow, key, language), tag))
        if ask.reply_keyboard:
            kind = "reply"  # e.g. Telegram asks for a location only from a reply keyboard
    nav: list[Button] = []
    if can_go_back and not node.end:
        nav.append(Button(label(flow, "back", language), BACK_DATA))
    if node.id != flow.start or node.end:
        nav.append(Button(label(flow, "restart", language), RESTART_DATA))
    if nav:
        rows.append(tuple(nav))
    if not rows:
        return "remove", ()
    return kind, tuple(rows)

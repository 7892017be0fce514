"""The old bot's tree of Elements as a flow document that behaves as the old bot did.

- Each element is a node; its children (tree order, mptt's `lft`) are reply-keyboard choices.
- A leaf shows its message with its siblings' keyboard (the old bot kept `last_node` at the parent).
- `~` splits a message into several; a URL ending .pdf/.gif is sent as a document, .mp3 as audio,
  .jpg/.png as a photo, with the rest of that part as its caption.
- A message starting with `^` asks for free text, saved as `feedback`; what follows is thanked
  ("Thank you for the feedback!") and saved too, as the old bot did.
- Back and Restart are the engine's own buttons; "Welcome back!" greets a /start or Restart after
  10 minutes away (`welcome_back_after`).
What cannot be carried over as it was is reported, one line per element, and handled as written
in `docs/import-clixchat.md`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.core.vocabulary import VARIABLE
from engine.importer.dump import DumpError, Element

MEDIA = re.compile(r"(?:https?://)?[^\s:/]+(?:/[^\s]*)*/[^\s/]+?\.(pdf|gif|mp3|jpg|png)\b", re.I)
KIND = {"pdf": "document", "gif": "document", "mp3": "audio", "jpg": "photo", "png": "photo"}
LABEL_LIMIT = 64
"""Longer button labels are shortened: a phone shows a few words on a button."""
MESSAGE_LIMIT, CAPTION_LIMIT = 4096, 1024
THANKS = "Thank you for the feedback!"


@dataclass
class Converted:
    document: dict[str, Any]
    node_of: dict[int, str]
    """element pk -> node id"""
    report: list[str] = field(default_factory=list)


def node_ids(elements: list[Element], root: int) -> dict[int, str]:
    """Stable, unique node ids from the names: the same dump always gives the same ids; the root
    is `start`; a name with no Latin letters or digits gives `element_<pk>`."""
    ids: dict[int, str] = {root: "start"}
    taken: set[str] = {"start"}
    for element in sorted(elements, key=lambda e: (e.tree_id, e.lft, e.pk)):
        if element.pk == root:
            continue
        base = re.sub(r"[^a-z0-9]+", "_", (element.name or "").lower()).strip("_")[:40]
        candidate = base or f"element_{element.pk}"
        if candidate in taken:
            candidate = f"{base or 'element'}_{element.pk}"
        ids[element.pk] = candidate
        taken.add(candidate)
    return ids


def _root(elements: list[Element], report: list[str]) -> Element:
    roots = sorted((e for e in elements if e.parent is None), key=lambda e: (e.tree_id, e.lft))
    if not roots:
        raise DumpError("the tree has no root element (one with no parent, named start)")
    named = [e for e in roots if (e.name or "").strip().lower() == "start"]
    if named:
        return named[0]
    report.append(
        f"element {roots[0].pk} ({roots[0].name!r}): the root is not named start; "
        "it is used as the start node"
    )
    return roots[0]


def _say_items(element: Element, text: str, report: list[str]) -> list[Any]:
    items: list[Any] = []
    for part in text.split("~"):
        part = part.strip()
        if not part:
            report.append(f"element {element.pk} ({element.name!r}): an empty message; it says '?'")
            part = "?"  # what the old bot sent
        if VARIABLE.search(part):
            report.append(
                f"element {element.pk} ({element.name!r}): {{name}} in its text would insert a "
                "variable; the braces became parentheses"
            )
            part = VARIABLE.sub(lambda m: f"({m.group(1)})", part)
        match = MEDIA.search(part)
        if match:
            url = match.group(0)
            caption = " ".join(part.replace(url, "").split())
            item: dict[str, Any] = {KIND[match.group(1).lower()]: url}
            if len(caption) > CAPTION_LIMIT:
                report.append(
                    f"element {element.pk} ({element.name!r}): a caption over {CAPTION_LIMIT} "
                    "characters; it follows the media as a message"
                )
                items.append(item)
                items.extend(_chunks(caption))
                continue
            if caption:
                item["caption"] = caption
            items.append(item)
            continue
        if len(part) > MESSAGE_LIMIT:
            report.append(
                f"element {element.pk} ({element.name!r}): a message over {MESSAGE_LIMIT} "
                "characters; it is sent in parts"
            )
        items.extend(_chunks(part))
    return items


def _chunks(text: str) -> list[str]:
    return [text[i : i + MESSAGE_LIMIT] for i in range(0, len(text), MESSAGE_LIMIT)] or ["?"]


def _choices(
    parent: Element, children: list[Element], node_of: dict[int, str], report: list[str]
) -> list[dict[str, str]]:
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for child in children:
        if child.name is None or not child.name.strip():
            continue  # the old bot showed no button for an element without a name
        label = " ".join(child.name.split())
        if len(label) > LABEL_LIMIT:
            report.append(
                f"element {child.pk} ({child.name!r}): a label over {LABEL_LIMIT} characters; "
                "shortened"
            )
            label = label[: LABEL_LIMIT - 1] + "…"
        if label.casefold() in seen:
            report.append(
                f"element {child.pk} ({child.name!r}): a sibling has the same name; "
                "only the first is offered (as the old bot answered the first)"
            )
            continue
        seen.add(label.casefold())
        choices.append({"label": label, "next": node_of[child.pk]})
    return choices


def convert(elements: list[Element], flow_id: str) -> Converted:
    report: list[str] = []
    root = _root(elements, report)
    tree = [e for e in elements if e.tree_id == root.tree_id]
    for other in sorted({e.tree_id for e in elements} - {root.tree_id}):
        report.append(
            f"tree {other}: a second tree of elements; not imported (the old bot used one)"
        )
    node_of = node_ids(tree, root.pk)
    children: dict[int, list[Element]] = {}
    for element in sorted(tree, key=lambda e: e.lft):
        if element.parent is not None:
            children.setdefault(element.parent, []).append(element)
    by_pk = {e.pk: e for e in tree}

    def above(pk: int | None) -> str | None:
        """Back from a menu shows the menu above it (the root stays at the root)."""
        if pk is None or pk not in by_pk:
            return None
        parent = by_pk[pk].parent
        return node_of.get(parent) if parent is not None else node_of[pk]

    nodes: dict[str, Any] = {}
    for element in sorted(tree, key=lambda e: e.lft):
        node_id = node_of[element.pk]
        text = element.message
        feedback = text.startswith("^")
        say = _say_items(element, text[1:] if feedback else text, report)
        own = children.get(element.pk, [])
        if feedback:
            thanks = f"{node_id}_thanks"
            if thanks in node_of.values():
                thanks = f"{node_id}_thanks_{element.pk}"
            back = above(element.pk)
            nodes[node_id] = {
                "say": say,
                "ask": {"save_as": "feedback", "type": "text"},
                "next": thanks,
                **({"back": back} if back else {}),
            }
            nodes[thanks] = {
                "say": THANKS,
                "ask": {"save_as": "feedback", "type": "text"},
                "next": thanks,
                **({"back": back} if back else {}),
            }
            if own:
                report.append(
                    f"element {element.pk} ({element.name!r}): a feedback question with children; "
                    "its children are reached only through it being answered"
                )
            continue
        siblings = children.get(element.parent, []) if element.parent is not None else []
        choices = _choices(element, own or siblings, node_of, report)
        node: dict[str, Any] = {"say": say}
        if choices:
            node["choices"] = choices
            # the old bot's Back showed the menu above the one whose buttons are on screen
            back = above(element.pk if own else element.parent)
            if back and element.parent is not None:
                node["back"] = back
        else:
            node["end"] = True
        nodes[node_id] = node
    unreached = [e for e in tree if e.parent is not None and e.parent not in node_of]
    for element in unreached:
        report.append(f"element {element.pk}: its parent {element.parent} is missing; left out")
    document: dict[str, Any] = {
        "$schema": "../schemas/flow.schema.json",
        "flow": flow_id,
        "title": "Imported from the old CLIxChat",
        "languages": ["en"],
        "start": "start",
        "keyboard": "reply",
        "welcome_back_after": "10m",
        "labels": {"back": "Back", "restart": "Restart"},
        "nodes": nodes,
    }
    return Converted(document, node_of, report)

"""What the simulator page shows, as JSON: messages, the machine's state, the picker, and the
transcript rebuilt from the recorded interactions (so a reload keeps the conversation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.authoring.live import LiveFlows
from engine.channels.simulator.media import MediaFiles
from engine.core.builtin_texts import LANGUAGE_NAMES
from engine.core.conversation import Conversation
from engine.core.events import Button, Outbound
from engine.core.flow import Flow, Node
from engine.core.keyboards import BACK_DATA, RESTART_DATA, keyboard_for, label, node_tag
from engine.core.runtime import Runtime
from engine.core.text import localize


def buttons_json(rows: tuple[tuple[Button, ...], ...]) -> list[list[dict[str, Any]]]:
    return [[{"label": b.label, "data": b.data, "request": b.request} for b in row] for row in rows]


def message_json(message: Outbound, media: MediaFiles | None = None) -> dict[str, Any]:
    """One bot message for the page; `url` is where a media item can be opened or shown: a
    web address as written, or the simulator's preview of a local file."""
    url = None
    if message.media and "://" in message.media:
        url = message.media
    elif media is not None:
        url = media.url_for_path(message.path)
    return {
        "who": "bot",
        "text": message.text,
        "media_kind": message.media_kind,
        "media": message.media,
        "url": url,
        "keyboard": message.keyboard,
        "buttons": buttons_json(message.buttons),
    }


def node_kind(node: Node) -> str:
    """What a node does, in the words of the flow format."""
    if node.end:
        return "end"
    if node.choices:
        return "choices"
    if node.ask is not None:
        return f"ask · {node.ask.type}"
    if node.branch:
        return "branch"
    return "next"


def title_of(flow: Flow) -> str:
    return localize(flow.title, flow.languages[0], flow.languages) or flow.id


def flows_json(live: LiveFlows) -> dict[str, Any]:
    """The picker's choices (every loaded flow, its entry nodes and languages) and the state of
    the flow files: `problems` holds the validator's lines when an edit was refused."""
    library = live.library
    return {
        "main": library.main,
        "generation": live.generation,
        "problems": list(live.problems),
        "flows": [
            {
                "id": flow.id,
                "title": title_of(flow),
                "main": flow.id == library.main,
                "entries": [flow.start, *(e for e in flow.entry_points if e != flow.start)],
                "languages": [
                    {"code": code, "name": LANGUAGE_NAMES.get(code, code)}
                    for code in flow.languages
                ],
                "revision": flow.revision[:12],
                "version": flow.version,
                "file": flow.file.name if flow.file is not None else None,
            }
            for flow in library.flows.values()
        ],
    }


def keyboard_now(runtime: Runtime, conv: Conversation) -> dict[str, Any]:
    """The keyboard the participant has in front of them now (after a reload)."""
    compiled = runtime.compiled.get(conv.flow)
    node = compiled.flow.nodes.get(conv.node or "") if compiled is not None else None
    if compiled is None or node is None:
        return {"kind": "remove", "buttons": []}
    flow = compiled.flow
    language = conv.language or flow.languages[0]
    if conv.awaiting == "language":
        rows: tuple[tuple[Button, ...], ...] = tuple(
            (Button(LANGUAGE_NAMES.get(code, code), f"~lang:{code}"),) for code in flow.languages
        )
        return {"kind": flow.keyboard, "buttons": buttons_json(rows)}
    kind, rows = keyboard_for(flow, node, language, conv.variables, len(conv.path) > 1)
    return {"kind": kind, "buttons": buttons_json(rows)}


def state_json(
    runtime: Runtime, conv: Conversation, pseudonym: str, wait_until: str | None
) -> dict[str, Any]:
    """The machine as the participant stands in it: flow, node and its kind, revision,
    language, saved variables, and the waiting node's timeout."""
    compiled = runtime.compiled.get(conv.flow)
    flow = compiled.flow if compiled is not None else None
    node = flow.nodes.get(conv.node or "") if flow is not None else None
    timeout = None
    if node is not None and node.timeout is not None and node.waits and not conv.ended:
        timeout = {"after": node.timeout.written, "next": node.timeout.next, "due": wait_until}
    return {
        "started": conv.started,
        "participant": pseudonym[:12],
        "flow": conv.flow or None,
        "title": title_of(flow) if flow is not None else None,
        "node": conv.node,
        "kind": node_kind(node) if node is not None else None,
        "ended": conv.ended,
        "awaiting": conv.awaiting,
        "language": conv.language,
        "variables": dict(conv.variables),
        "path": list(conv.path),
        "revision": {
            "sha256": conv.revision[:12] or None,
            "version": flow.version if flow is not None else None,
            "current": flow.revision[:12] if flow is not None else None,
            "behind": flow is not None and bool(conv.revision) and conv.revision != flow.revision,
        },
        "timeout": timeout,
        "keyboard": keyboard_now(runtime, conv) if conv.started else None,
    }


def _button_label(runtime: Runtime, data: str, where: str | None, language: str) -> str:
    """An inline button's label from its callback data, as the participant saw it."""
    flow_id, _, node_id = (where or "").partition(":")
    compiled = runtime.compiled.get(flow_id) or runtime.compiled[runtime.main]
    flow = compiled.flow
    if data == BACK_DATA:
        return label(flow, "back", language)
    if data == RESTART_DATA:
        return label(flow, "restart", language)
    if data.startswith("~lang:"):
        code = data.removeprefix("~lang:")
        return LANGUAGE_NAMES.get(code, code)
    tag, _, index = data.partition(":")
    node = flow.nodes.get(node_id)
    if node is not None and tag == node_tag(flow.id, node.id):
        if index.isdigit() and int(index) < len(node.choices):
            return localize(node.choices[int(index)].label, language, flow.languages)
        if index in ("y", "n"):  # a yes_no ask's own buttons
            return label(flow, "yes" if index == "y" else "no", language)
    return "[button]"


def input_item(runtime: Runtime, row: Mapping[str, Any], language: str) -> dict[str, Any] | None:
    """What the participant did in one recorded interaction, as the page shows it."""
    kind, text = row["input_kind"], row["input_text"] or ""
    if row["kind"] == "migrated":
        saved = row["saved"] or {}
        return {
            "who": "note",
            "text": f"⟳ new revision {str(saved.get('to') or '')[:12]} of {row['flow']}",
        }
    if kind in ("text", "command"):
        return {"who": "you", "text": text}
    if kind == "button":
        return {"who": "you", "text": _button_label(runtime, text, row["node_before"], language)}
    if kind == "media":
        return {"who": "you", "text": f"[{row['input_media'] or 'media'}]"}
    if kind == "timeout":
        return {"who": "note", "text": f"⏰ timeout fired at {row['node_before'] or '?'}"}
    if kind == "enter":
        return {"who": "note", "text": f"▶ started at {text}"}
    return None


def transcript_json(
    runtime: Runtime, media: MediaFiles, rows: list[Mapping[str, Any]], language: str
) -> list[dict[str, Any]]:
    """The conversation so far, oldest first: what was sent, and each message that came back."""
    items: list[dict[str, Any]] = []
    for row in rows:
        said = input_item(runtime, row, language)
        if said is not None:
            items.append(said)
        for out in row["output"] or []:
            source = out.get("media")
            url = source if source and "://" in source else None
            if url is None and out.get("media_kind"):
                url = media.url_for_source(row["flow"], source)
            items.append(
                {
                    "who": "bot",
                    "text": out.get("text") or "",
                    "media_kind": out.get("media_kind"),
                    "media": source,
                    "url": url,
                    "keyboard": None,
                    "buttons": [],
                }
            )
    return items

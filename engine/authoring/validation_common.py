"""What the semantic flow checks share: findings, the flow as seen by them, and its texts.

Semantic checks look only at parts of a flow that passed the schema ("sound" parts), so a
structurally broken flow gets its schema errors and never a crash or a cascade of guesses.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from engine.core.vocabulary import MEDIA_KINDS

Part = str | int
Parts = tuple[Part, ...]
Severity = Literal["error", "warning"]
TextKind = Literal["message", "caption", "label", "retry", "button", "title"]


@dataclass(frozen=True)
class Finding:
    """A semantic problem at a place in the document (as a path of keys and indexes)."""

    parts: Parts
    severity: Severity
    message: str
    hint: str


@dataclass(frozen=True)
class Context:
    """What is known beyond the file itself (from the other flows checked with it)."""

    known_nodes: Mapping[str, set[str]] | None = None
    """Node ids of every flow, by flow id, for "flow-id:node" targets; None: skip those."""
    entered_at: frozenset[str] = frozenset()
    """Nodes of this flow that other flows jump to (they count as reachable)."""
    outside_vars: frozenset[str] = frozenset()
    """Variables saved by other flows (a user may bring them along)."""


@dataclass(frozen=True)
class TextSite:
    """A text a user sees, where it is and what it is used as."""

    node: str | None
    parts: Parts
    value: Any
    kind: TextKind


@dataclass(frozen=True)
class MediaSite:
    node: str
    parts: Parts
    kind: str
    source: str


@dataclass(frozen=True)
class FlowView:
    """A parsed flow document and which of its parts the schema found sound."""

    doc: Mapping[str, Any]
    bad: frozenset[Parts]
    folder: Path
    context: Context = field(default_factory=Context)

    def sound(self, *parts: Part) -> bool:
        """Whether no schema error lies at or under this place."""
        size = len(parts)
        return not any(bad[:size] == parts for bad in self.bad)

    def has(self, key: str) -> bool:
        """A top-level key that is present and schema-sound."""
        return key in self.doc and self.sound(key)

    @cached_property
    def node_ids(self) -> frozenset[str]:
        nodes = self.doc.get("nodes")
        return frozenset(nodes) if isinstance(nodes, dict) else frozenset()

    @property
    def flow_id(self) -> str | None:
        flow = self.doc.get("flow")
        return flow if isinstance(flow, str) and self.sound("flow") else None

    @property
    def languages(self) -> tuple[str, ...] | None:
        return tuple(self.doc["languages"]) if self.has("languages") else None

    @property
    def keyboard(self) -> str | None:
        if "keyboard" not in self.doc:
            return "reply"
        return str(self.doc["keyboard"]) if self.sound("keyboard") else None

    def sound_nodes(self) -> dict[str, Mapping[str, Any]]:
        """The nodes that passed the schema, in document order."""
        nodes = self.doc.get("nodes")
        if not isinstance(nodes, dict):
            return {}
        return {nid: node for nid, node in nodes.items() if self.sound("nodes", nid)}

    def graph_ok(self) -> bool:
        """Whole-flow checks (reachability, loops, variables) need an intact graph.

        Every node sound, start and entry points naming nodes, and every target of this flow
        naming a node: a broken link is reported once, not again as every node behind it.
        """
        nodes = self.doc.get("nodes")
        if not isinstance(nodes, dict) or not nodes or not self.sound("nodes"):
            return False
        if not self.has("start") or self.doc["start"] not in nodes:
            return False
        if not self.sound("entry_points") or not set(self.doc.get("entry_points", ())) <= set(
            nodes
        ):
            return False
        for node in nodes.values():
            for _, target in local_targets(node):
                flow, _, node_id = target.rpartition(":")
                if flow in ("", self.flow_id) and node_id not in nodes:
                    return False
        return True


def is_media(item: Any) -> bool:
    return isinstance(item, Mapping) and any(kind in item for kind in MEDIA_KINDS)


def say_items(parts: Parts, say: Any) -> Iterator[tuple[Parts, Any]]:
    """Each item of a `say` (one item or a list) with its place."""
    if isinstance(say, list):
        for index, item in enumerate(say):
            yield (*parts, index), item
    elif say is not None:
        yield parts, say


def _say_texts(node: str, parts: Parts, say: Any) -> Iterator[TextSite]:
    for where, item in say_items(parts, say):
        if is_media(item):
            if "caption" in item:
                yield TextSite(node, (*where, "caption"), item["caption"], "caption")
        else:
            yield TextSite(node, where, item, "message")


def node_texts(node_id: str, node: Mapping[str, Any]) -> Iterator[TextSite]:
    """Every text of a (sound) node a user may see."""
    base: Parts = ("nodes", node_id)
    yield from _say_texts(node_id, (*base, "say"), node.get("say"))
    for index, choice in enumerate(node.get("choices", ())):
        yield TextSite(node_id, (*base, "choices", index, "label"), choice["label"], "label")
    ask = node.get("ask")
    if isinstance(ask, Mapping) and "retry" in ask:
        yield TextSite(node_id, (*base, "ask", "retry"), ask["retry"], "retry")
    timeout = node.get("timeout")
    if isinstance(timeout, Mapping):
        yield from _say_texts(node_id, (*base, "timeout", "say"), timeout.get("say"))


def node_media(node_id: str, node: Mapping[str, Any]) -> Iterator[MediaSite]:
    """Every media item of a (sound) node."""
    base: Parts = ("nodes", node_id)
    timeout = node.get("timeout")
    says = [((*base, "say"), node.get("say"))]
    if isinstance(timeout, Mapping):
        says.append(((*base, "timeout", "say"), timeout.get("say")))
    for parts, say in says:
        for where, item in say_items(parts, say):
            if is_media(item):
                kind = next(k for k in MEDIA_KINDS if k in item)
                yield MediaSite(node_id, (*where, kind), kind, str(item[kind]))


def flow_texts(view: FlowView) -> Iterator[TextSite]:
    """Every sound text of the flow: title, labels, and each sound node's texts."""
    if view.has("title"):
        yield TextSite(None, ("title",), view.doc["title"], "title")
    if view.has("labels"):
        for key, text in view.doc["labels"].items():
            yield TextSite(None, ("labels", key), text, "button")
    for node_id, node in view.sound_nodes().items():
        yield from node_texts(node_id, node)


def spellings(site: TextSite) -> Iterator[tuple[Parts, str]]:
    """Each string of a text: the text itself, or one per language."""
    if isinstance(site.value, str):
        yield site.parts, site.value
    elif isinstance(site.value, Mapping):
        for language, text in site.value.items():
            yield (*site.parts, language), str(text)


def local_targets(node: Any) -> Iterator[tuple[Parts, str]]:
    """Every target of a node (relative place, target), taking any shape without failing."""
    if not isinstance(node, Mapping):
        return
    for key in ("next", "else", "back"):
        if isinstance(node.get(key), str):
            yield (key,), node[key]
    for list_key in ("choices", "branch"):
        items = node.get(list_key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, Mapping) and isinstance(item.get("next"), str):
                    yield (list_key, index, "next"), item["next"]
    timeout = node.get("timeout")
    if isinstance(timeout, Mapping) and isinstance(timeout.get("next"), str):
        yield ("timeout", "next"), timeout["next"]

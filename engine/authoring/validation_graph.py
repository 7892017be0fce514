"""Checks on the flow as a graph: targets, reachability, loops that never wait, variables."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.authoring.validation_common import (
    Finding,
    FlowView,
    Parts,
    flow_texts,
    local_targets,
    spellings,
)
from engine.core.vocabulary import VARIABLE, did_you_mean


def graph_findings(view: FlowView) -> Iterator[Finding]:
    """Every graph finding: broken targets always, whole-graph checks on a sound graph."""
    yield from _start_and_entries(view)
    for node_id, node in view.sound_nodes().items():
        for rel, target in local_targets(node):
            what = "/".join(str(p) for p in rel)
            yield from _target(view, ("nodes", node_id, *rel), what, target)
    yield from _moved(view)
    if view.graph_ok():
        edges = _edges(view)
        reached = _reach(edges, _roots(view))
        for node_id in view.node_ids - reached:
            yield Finding(
                ("nodes", node_id),
                "warning",
                f"node {node_id!r} is not reachable from start or any entry point",
                "link to it from a choice or next, list it in entry_points, or remove it",
            )
        yield from _loops(view, edges)
        yield from _variables(view, edges, reached)
    else:
        yield from _variables(view, None, frozenset())


def _roots(view: FlowView) -> set[str]:
    roots = {str(view.doc["start"])}
    roots.update(view.doc.get("entry_points", ()))
    roots.update(view.context.entered_at)
    return roots & view.node_ids


def _local(view: FlowView, target: str) -> str | None:
    """The node id a target names in this flow, or None for another flow's node."""
    if ":" not in target:
        return target
    flow, node = target.split(":", 1)
    return node if flow == view.flow_id else None


def _missing_node(parts: Parts, what: str, name: str, known: Iterable[str]) -> Finding:
    known = sorted(known)
    hint = did_you_mean(name, known) or (
        f"add a node {name!r}, or use one of: {', '.join(known[:8])}"
        + (", ..." if len(known) > 8 else "")
    )
    return Finding(parts, "error", f"{what} names no node {name!r}", hint)


def _target(view: FlowView, parts: Parts, what: str, target: str) -> Iterator[Finding]:
    local = _local(view, target)
    if local is not None:
        if local not in view.node_ids:
            yield _missing_node(parts, what, local, view.node_ids)
        return
    known = view.context.known_nodes
    if known is None:
        return
    flow, node = target.split(":", 1)
    if flow not in known:
        hint = did_you_mean(flow, list(known)) or "check it together with the file of that flow"
        yield Finding(parts, "error", f"{what} names an unknown flow {flow!r}", hint)
    elif node not in known[flow]:
        yield _missing_node(parts, f"{what} ({flow})", node, known[flow])


def _start_and_entries(view: FlowView) -> Iterator[Finding]:
    if not isinstance(view.doc.get("nodes"), dict) or not view.node_ids:
        return
    if view.has("start") and view.doc["start"] not in view.node_ids:
        yield _missing_node(("start",), "start", view.doc["start"], view.node_ids)
    if view.has("entry_points"):
        for index, entry in enumerate(view.doc["entry_points"]):
            if entry not in view.node_ids:
                yield _missing_node(("entry_points", index), "entry point", entry, view.node_ids)


def _moved(view: FlowView) -> Iterator[Finding]:
    if not view.has("moved") or not view.node_ids:
        return
    for old, new in view.doc["moved"].items():
        if old in view.node_ids:
            yield Finding(
                ("moved", old),
                "error",
                f"{old!r} is still a node, so it cannot be listed as moved",
                "moved maps ids of removed nodes to new ones: remove this entry or the node",
            )
        yield from _target(view, ("moved", old), f"moved {old!r}", new)


Edges = dict[str, list[str]]


def _edges(view: FlowView) -> Edges:
    """Local edges of every node (choices, next, else, branch rules, timeout)."""
    edges: Edges = {}
    for node_id, node in view.doc["nodes"].items():
        targets = (_local(view, target) for _, target in local_targets(node))
        edges[node_id] = [t for t in targets if t is not None and t in view.node_ids]
    return edges


def _reach(edges: Mapping[str, list[str]], starts: Iterable[str]) -> frozenset[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return frozenset(seen)


def _passes_through(node: Mapping[str, Any]) -> bool:
    """A node that goes on at once: next alone, or a branch."""
    return "branch" in node or ("next" in node and "ask" not in node and "choices" not in node)


def _loops(view: FlowView, edges: Edges) -> Iterator[Finding]:
    nodes = view.doc["nodes"]
    quick = {nid for nid, node in nodes.items() if _passes_through(node)}
    inner: Edges = {nid: [t for t in edges[nid] if t in quick] for nid in quick}
    after = {nid: _reach(inner, inner[nid]) for nid in quick}
    reported: set[str] = set()
    for node_id in nodes:
        if node_id not in quick or node_id in reported or node_id not in after[node_id]:
            continue
        group = {other for other in after[node_id] if node_id in after[other]}
        reported |= group
        cycle = _cycle(inner, node_id, group)
        yield Finding(
            ("nodes", node_id),
            "error",
            "loop with no wait: " + " → ".join(cycle) + " goes round for ever without asking",
            "put a node with choices or ask in the loop, or send one of these nodes elsewhere",
        )


def _cycle(edges: Edges, first: str, group: set[str]) -> list[str]:
    """The shortest way from `first` back to itself inside `group`."""
    parent: dict[str, str] = {}
    queue = deque([first])
    while queue:
        here = queue.popleft()
        for target in edges[here]:
            if target == first:
                path = [here]
                while path[-1] != first:
                    path.append(parent[path[-1]])
                return [*reversed(path), first]
            if target in group and target not in parent:
                parent[target] = here
                queue.append(target)
    return [first, first]


def _saved(view: FlowView) -> dict[str, list[str]]:
    """Which nodes save each variable (from any node that has an ask with save_as)."""
    saved: dict[str, list[str]] = {}
    nodes = view.doc.get("nodes")
    for node_id, node in nodes.items() if isinstance(nodes, dict) else ():
        ask = node.get("ask") if isinstance(node, Mapping) else None
        if isinstance(ask, Mapping) and isinstance(ask.get("save_as"), str):
            saved.setdefault(ask["save_as"], []).append(node_id)
    return saved


def _variables(view: FlowView, edges: Edges | None, reached: frozenset[str]) -> Iterator[Finding]:
    """{var} only where an ask saving var can have come before (edges None: skip that part)."""
    saved = _saved(view)
    known = set(saved) | view.context.outside_vars
    available: dict[str, frozenset[str]] = {}
    for site in flow_texts(view):
        for parts, text in spellings(site):
            for name in dict.fromkeys(VARIABLE.findall(text)):
                if name not in known:
                    hint = did_you_mean(name, sorted(known)) or (
                        f'add an ask with "save_as": "{name}" before this text, or fix the name'
                    )
                    yield Finding(parts, "error", f"{{{name}}} is never saved in this flow", hint)
                    continue
                if edges is None or site.node is None or site.node not in reached:
                    continue
                if name not in available:
                    available[name] = _available(view, edges, reached, name, saved.get(name, []))
                if site.node not in available[name]:
                    askers = ", ".join(repr(n) for n in saved.get(name, [])) or "another flow"
                    yield Finding(
                        parts,
                        "error",
                        f"{{{name}}} may not be saved yet at node {site.node!r}: "
                        f"no path from an ask saving it (in {askers}) leads here",
                        "ask for it on the way to this node, or remove the variable",
                    )


def _available(
    view: FlowView, edges: Edges, reached: frozenset[str], name: str, askers: list[str]
) -> frozenset[str]:
    """Nodes a user may reach after `name` was saved."""
    starts: set[str] = set()
    for asker in askers:
        if asker in reached:
            after = _local(view, str(view.doc["nodes"][asker]["next"]))
            if after is not None:
                starts.add(after)
    if name in view.context.outside_vars:
        starts |= view.context.entered_at
    return _reach(edges, starts & view.node_ids)

"""Moving participants to a new revision of their flow, and telling designers what a change does.

A participant waiting at a node that still exists stays there. One whose node was removed goes
to the node the flow names in `moved`, else to the nearest surviving node back along their own
path, else to `start`. Each move is reported so the store can record it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.core.conversation import Conversation
from engine.core.flow import Flow


@dataclass(frozen=True)
class Move:
    flow: str
    from_revision: str
    to_revision: str
    from_node: str | None
    to_node: str | None
    reason: str
    """kept (node still there), moved (the flow's `moved`), path (back along the path), start."""


def migrate(conv: Conversation, flow: Flow) -> Move | None:
    """Bring a conversation in `flow` to the flow's current revision; None if already there."""
    if conv.flow != flow.id or conv.revision == flow.revision:
        return None
    old_revision, old_node = conv.revision, conv.node
    prefix = f"{flow.id}:"
    conv.path = [
        place
        for place in conv.path
        if not place.startswith(prefix) or place[len(prefix) :] in flow.nodes
    ]
    reason = "kept"
    if conv.node is not None and conv.node not in flow.nodes:
        target = flow.moved.get(conv.node)
        if target is not None and target in flow.nodes:
            conv.node, reason = target, "moved"
        else:
            survivors = [p[len(prefix) :] for p in conv.path if p.startswith(prefix)]
            if survivors:
                conv.node, reason = survivors[-1], "path"
            else:
                conv.node, reason = flow.start, "start"
        place = f"{flow.id}:{conv.node}"
        while conv.path and conv.path[-1] != place and reason == "path":
            conv.path.pop()
        if reason != "path":
            conv.remember(place)
        conv.awaiting = None
    conv.revision = flow.revision
    return Move(flow.id, old_revision, flow.revision, old_node, conv.node, reason)


@dataclass(frozen=True)
class NodeChange:
    node: str
    change: str
    """removed, changed or added."""
    goes_to: str | None = None
    """For a removed node: where its waiting participants go (from `moved`, else "path/start")."""


def diff_flows(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[NodeChange]:
    """Node-level differences between two flow documents."""
    old_nodes: Mapping[str, Any] = old.get("nodes", {})
    new_nodes: Mapping[str, Any] = new.get("nodes", {})
    moved: Mapping[str, str] = new.get("moved", {})
    changes: list[NodeChange] = []
    for node in old_nodes:
        if node not in new_nodes:
            changes.append(NodeChange(node, "removed", moved.get(node, "path/start")))
        elif old_nodes[node] != new_nodes[node]:
            changes.append(NodeChange(node, "changed"))
    changes.extend(NodeChange(node, "added") for node in new_nodes if node not in old_nodes)
    return changes

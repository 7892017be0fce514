"""`clixchat diff`: what a new revision of a flow changes, node by node, before it is published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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

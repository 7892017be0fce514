"""Moving participants to a new revision of their flow (a "revision move").

A participant waiting at a node that still exists stays there. One whose node was removed goes
to the node the flow names in `moved`, else to the nearest surviving node back along their own
path, else to `start`. Each move is reported so the store can record it.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.core.conversation import Conversation
from engine.core.flow import Flow

MENU_CHANGED = "menu_changed"
"""`Conversation.awaiting` after a move off a removed node: the next reply was meant for it."""


@dataclass(frozen=True)
class Move:
    flow: str
    from_revision: str
    to_revision: str
    from_node: str | None
    to_node: str | None
    reason: str
    """kept (node still there), moved (the flow's `moved`), path (back along the path), start."""


def move_to_revision(conv: Conversation, flow: Flow) -> Move | None:
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
        conv.awaiting = MENU_CHANGED
    conv.revision = flow.revision
    return Move(flow.id, old_revision, flow.revision, old_node, conv.node, reason)

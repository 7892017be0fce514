"""The nodes a turn passed through on its way, inferred from the flow's definition.

An interaction records where a turn began and ended (node_before, node_after), not the `next`
and `branch` nodes it went through. Those are followed here from the flow of the recorded
revision: a choice goes to the chosen choice's target (`saved.choice` is its 1-based index), an
answer to the ask's `next`, a timeout to its target; from there `next` is followed and each
`branch` evaluated (engine.core.conditions.holds) on the variables saved in that turn over the
participant's current ones. The nodes are counted only when the walk ends where the turn
ended; otherwise (a jump into another flow, a variable that changed since) none is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.core.conditions import holds
from engine.core.flow import Flow

MAX_STEPS = 64


def passed(
    flow: Flow,
    before: str,
    after: str,
    kind: str,
    saved: Mapping[str, Any],
    variables: Callable[[], Mapping[str, Any]],
) -> list[str]:
    """The pass-through nodes between `before` and `after` (node ids of `flow`), or []."""
    node = flow.nodes.get(before)
    if node is None:
        return []
    target: str | None = None
    if kind == "choice":
        index = saved.get("choice")
        if isinstance(index, int) and 1 <= index <= len(node.choices):
            target = node.choices[index - 1].next
    elif kind == "answer" and node.ask is not None:
        target = node.next
    elif kind == "timeout" and node.timeout is not None:
        target = node.timeout.next
    found: list[str] = []
    known: dict[str, Any] | None = None
    for _ in range(MAX_STEPS):
        if target is None or target not in flow.nodes:
            return []
        if target == after:
            return found
        current = flow.nodes[target]
        if current.waits or current.end:
            return []
        found.append(target)
        if current.branch or current.else_:
            if known is None:
                known = {**variables(), **saved}
            values = known
            target = next((r.next for r in current.branch if holds(r, values)), current.else_)
        else:
            target = current.next
    return []

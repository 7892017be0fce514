"""A participant's place in the programme: the object the flow machines move."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PATH_LIMIT = 50
"""How many waiting nodes Back remembers."""


@dataclass
class Conversation:
    """Position, path and variables of one participant; plain data, easy to persist.

    `node` is the attribute the flow's state machine moves (its model_attribute).
    """

    flow: str = ""
    node: str | None = None
    revision: str = ""
    path: list[str] = field(default_factory=list)
    """Waiting nodes visited, as "flow:node", oldest first, the current one last."""
    variables: dict[str, Any] = field(default_factory=dict)
    language: str | None = None
    awaiting: str | None = None
    """A built-in question in progress instead of the node's own ("language")."""
    ended: bool = False
    last_seen: float | None = None

    @property
    def started(self) -> bool:
        return self.node is not None

    @property
    def where(self) -> str | None:
        return f"{self.flow}:{self.node}" if self.node is not None else None

    def remember(self, place: str) -> None:
        if not self.path or self.path[-1] != place:
            self.path.append(place)
            del self.path[:-PATH_LIMIT]

    def to_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "node": self.node,
            "revision": self.revision,
            "path": list(self.path),
            "variables": dict(self.variables),
            "language": self.language,
            "awaiting": self.awaiting,
            "ended": self.ended,
            "last_seen": self.last_seen,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        return cls(
            flow=data.get("flow", ""),
            node=data.get("node"),
            revision=data.get("revision", ""),
            path=list(data.get("path", [])),
            variables=dict(data.get("variables", {})),
            language=data.get("language"),
            awaiting=data.get("awaiting"),
            ended=bool(data.get("ended", False)),
            last_seen=data.get("last_seen"),
        )

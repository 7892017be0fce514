"""The flow model: a validated flow file as typed, immutable objects, plus its revision."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.core.text import Text, parse_duration
from engine.core.vocabulary import MEDIA_KINDS, FlowKeyboard


@dataclass(frozen=True)
class Media:
    """A media item in a `say`: a URL, a Telegram file_id, or a file beside the flow."""

    kind: str
    source: str
    caption: Text | None = None
    path: Path | None = None
    """The local file when `source` names one (resolved against the flow's folder)."""


SayItem = Text | Media


@dataclass(frozen=True)
class Choice:
    label: Text
    next: str


@dataclass(frozen=True)
class Ask:
    save_as: str
    type: str
    retry: Text | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    var: str
    op: str
    value: Any
    next: str


@dataclass(frozen=True)
class Timeout:
    after: int
    """Seconds of silence before the timeout fires."""
    next: str
    say: tuple[SayItem, ...] = ()
    written: str = ""
    """The duration as the designer wrote it ("24h"), for diagrams and messages."""


@dataclass(frozen=True)
class Node:
    id: str
    say: tuple[SayItem, ...] = ()
    choices: tuple[Choice, ...] = ()
    ask: Ask | None = None
    next: str | None = None
    branch: tuple[Rule, ...] = ()
    else_: str | None = None
    end: bool = False
    timeout: Timeout | None = None
    back: str | None = None
    """Where Back goes from here, instead of the previous node on the path."""

    @property
    def waits(self) -> bool:
        """A waiting node stops and waits for the participant (choices or ask)."""
        return bool(self.choices) or self.ask is not None


@dataclass(frozen=True)
class Flow:
    id: str
    languages: tuple[str, ...]
    start: str
    nodes: Mapping[str, Node]
    revision: str
    title: Text = ""
    keyboard: FlowKeyboard = "reply"
    expire_after: int | None = None
    welcome_back_after: int | None = None
    """Seconds of silence after which /start or Restart is greeted with "Welcome back!"."""
    labels: Mapping[str, Text] = field(default_factory=dict)
    entry_points: tuple[str, ...] = ()
    moved: Mapping[str, str] = field(default_factory=dict)
    main: bool = False
    allow_groups: bool = False
    version: int | None = None
    source: Mapping[str, Any] = field(default_factory=dict, repr=False)
    file: Path | None = None


def revision_of(document: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, compact, UTF-8): the run-time identity."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _say(raw: Any, folder: Path | None) -> tuple[SayItem, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out: list[SayItem] = []
    for item in items:
        if isinstance(item, Mapping) and any(kind in item for kind in MEDIA_KINDS):
            kind = next(k for k in MEDIA_KINDS if k in item)
            source = str(item[kind])
            path = None
            if folder is not None and not source.startswith(("http://", "https://")):
                candidate = folder / source
                if candidate.is_file():
                    path = candidate.resolve()
            out.append(Media(kind, source, item.get("caption"), path))
        else:
            out.append(item)
    return tuple(out)


def _node(node_id: str, raw: Mapping[str, Any], folder: Path | None) -> Node:
    ask = raw.get("ask")
    timeout = raw.get("timeout")
    return Node(
        id=node_id,
        say=_say(raw.get("say"), folder),
        choices=tuple(Choice(c["label"], c["next"]) for c in raw.get("choices", ())),
        ask=Ask(
            save_as=ask["save_as"],
            type=ask["type"],
            retry=ask.get("retry"),
            options={k: v for k, v in ask.items() if k not in ("save_as", "type", "retry")},
        )
        if ask
        else None,
        next=raw.get("next"),
        branch=tuple(
            Rule(r["if"]["var"], r["if"]["op"], r["if"].get("value"), r["next"])
            for r in raw.get("branch", ())
        ),
        else_=raw.get("else"),
        end=bool(raw.get("end", False)),
        back=raw.get("back"),
        timeout=Timeout(
            parse_duration(timeout["after"]),
            timeout["next"],
            _say(timeout.get("say"), folder),
            str(timeout["after"]),
        )
        if timeout
        else None,
    )


def flow_from_document(document: Mapping[str, Any], file: Path | None = None) -> Flow:
    """Build a Flow from a document that has passed validation."""
    folder = file.parent if file is not None else None
    expire = document.get("expire_after")
    return Flow(
        id=document["flow"],
        languages=tuple(document["languages"]),
        start=document["start"],
        nodes={nid: _node(nid, raw, folder) for nid, raw in document["nodes"].items()},
        revision=revision_of(document),
        title=document.get("title", ""),
        keyboard=document.get("keyboard", "reply"),
        expire_after=parse_duration(expire) if expire else None,
        welcome_back_after=(
            parse_duration(document["welcome_back_after"])
            if document.get("welcome_back_after")
            else None
        ),
        labels=dict(document.get("labels", {})),
        entry_points=tuple(document.get("entry_points", ())),
        moved=dict(document.get("moved", {})),
        main=bool(document.get("main", False)),
        allow_groups=bool(document.get("allow_groups", False)),
        version=document.get("version"),
        source=document,
        file=file,
    )

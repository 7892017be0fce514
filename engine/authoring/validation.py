"""Flow validation: schema errors and semantic checks, each with file, line, JSON pointer and a fix.

The CLI (`clixchat validate`) and the flow loader call `validate_paths`, `validate_file` and
`validate_text`. Nothing here raises on a broken flow: every problem becomes a `Problem`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from json_source_map import calculate

from engine.authoring.files import flow_files
from engine.authoring.schema import parts_of, pointer_of, schema_errors
from engine.authoring.validation_common import Context, Finding, FlowView, Parts, local_targets
from engine.authoring.validation_graph import graph_findings
from engine.authoring.validation_texts import text_findings
from engine.authoring.validation_types import type_findings

_JSON_HINTS = {
    "Expecting ',' delimiter": "a comma is missing between two items",
    "Expecting property name enclosed in double quotes": (
        "remove the comma before } (JSON allows no trailing comma), or put the key in double quotes"
    ),
    "Expecting value": (
        "a value is missing: remove a trailing comma before ], and note JSON has no comments"
    ),
    "Expecting ':' delimiter": 'a key needs a colon before its value: "key": value',
    "Unterminated string starting at": "a closing double quote is missing",
    "Invalid control character at": r"a line break inside a string must be written \n",
    "Extra data": "there is more after the end of the flow's { }: remove it",
    "Unexpected UTF-8 BOM": "save the file as UTF-8 without a byte-order mark (BOM)",
}


@dataclass(frozen=True)
class Problem:
    """One problem: where (file, JSON pointer, 1-based line and column), what, and how to fix it."""

    file: str
    pointer: str
    line: int
    column: int
    severity: Literal["error", "warning"]
    message: str
    hint: str

    def format(self) -> str:
        """`file:line:col: error: /json/pointer: message (hint)`, as compilers print problems."""
        hint = f" ({self.hint})" if self.hint else ""
        where = self.pointer or "/"
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}: {where}: {self.message}{hint}"
        )

    def as_dict(self) -> dict[str, object]:
        return dict(asdict(self))


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers keys written more than once."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    seen: set[str] = set()
    result.duplicates = []
    for key, _ in pairs:
        if key in seen and key not in result.duplicates:
            result.duplicates.append(key)
        seen.add(key)
    return result


@dataclass(frozen=True)
class _Source:
    """A flow file read and parsed (or the problem that stopped it)."""

    file: str
    text: str
    doc: Any = None
    problem: Problem | None = None


def _parse(text: str, file: str) -> _Source:
    if not text.strip():
        problem = Problem(
            file,
            "",
            1,
            1,
            "error",
            "the file is empty",
            'a flow file is a JSON object: {"flow": ..., "languages": [...], "start": ..., '
            '"nodes": {...}}',
        )
        return _Source(file, text, problem=problem)
    try:
        doc = json.loads(text, object_pairs_hook=_object)
    except RecursionError:
        return _Source(file, text, problem=_too_deep(file))
    except json.JSONDecodeError as error:
        hint = next((h for k, h in _JSON_HINTS.items() if error.msg.startswith(k)), "")
        problem = Problem(
            file,
            "",
            error.lineno,
            error.colno,
            "error",
            f"invalid JSON: {error.msg}",
            hint or "check the punctuation just before this place",
        )
        return _Source(file, text, problem=problem)
    return _Source(file, text, doc)


def _read(path: Path) -> _Source:
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        problem = Problem(
            file, "", 1, 1, "error", f"not UTF-8 text: {error.reason}", "save the file as UTF-8"
        )
        return _Source(file, "", problem=problem)
    except OSError as error:
        problem = Problem(
            file, "", 1, 1, "error", f"cannot read: {error.strerror}", "check the path"
        )
        return _Source(file, "", problem=problem)
    return _parse(text, file)


def _duplicates(value: Any, parts: Parts = ()) -> Iterator[Finding]:
    if isinstance(value, _Object):
        for key in value.duplicates:
            yield Finding(
                (*parts, key),
                "error",
                f"key {key!r} is written twice in this object; only the last one counts",
                "rename one of them, or merge the two",
            )
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _duplicates(item, (*parts, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _duplicates(item, (*parts, index))


class _Locator:
    """Turns JSON pointers into 1-based line and column (of the value) in the source."""

    def __init__(self, text: str) -> None:
        try:
            self._map: Mapping[str, Any] = calculate(text)
        except Exception:  # the map is a nicety; a flow that json accepts must never crash here
            self._map = {}

    def __call__(self, parts: Sequence[object]) -> tuple[int, int]:
        for size in range(len(parts), -1, -1):
            entry = self._map.get("".join(f"/{p}" for p in parts[:size]))
            if entry is not None:
                return entry.value_start.line + 1, entry.value_start.column + 1
        return 1, 1


def _too_deep(file: str) -> Problem:
    return Problem(
        file,
        "",
        1,
        1,
        "error",
        "the JSON is nested too deeply to check",
        "a flow needs only a few levels of { } and [ ]",
    )


def _check(source: _Source, context: Context) -> list[Problem]:
    if source.problem is not None:
        return [source.problem]
    try:
        return _check_parsed(source, context)
    except RecursionError:
        return [_too_deep(source.file)]


def _check_parsed(source: _Source, context: Context) -> list[Problem]:
    doc = source.doc
    locate = _Locator(source.text)

    def problem(
        parts: Sequence[object], severity: Literal["error", "warning"], message: str, hint: str
    ) -> Problem:
        line, column = locate(parts)
        return Problem(
            source.file, pointer_of([str(p) for p in parts]), line, column, severity, message, hint
        )

    problems: list[Problem] = []
    bad: set[Parts] = set()
    for found in schema_errors(doc):
        parts = _typed_parts(doc, parts_of(found.pointer))
        bad.add(parts)
        problems.append(problem(parts, "error", found.message, found.hint))
    findings = list(_duplicates(doc))
    if isinstance(doc, Mapping):
        view = FlowView(doc, frozenset(bad), Path(source.file).parent, context)
        findings += graph_findings(view)
        findings += text_findings(view)
        findings += type_findings(view)
    problems += [problem(f.parts, f.severity, f.message, f.hint) for f in findings]
    return sorted(problems, key=lambda p: (p.line, p.column))


def _typed_parts(doc: Any, keys: Sequence[str]) -> Parts:
    """Pointer keys as the document's own keys and list indexes (so they match findings)."""
    parts: list[str | int] = []
    for key in keys:
        if isinstance(doc, list) and key.isascii() and key.isdigit():
            parts.append(int(key))
            doc = doc[int(key)] if int(key) < len(doc) else None
        else:
            parts.append(key)
            doc = doc.get(key) if isinstance(doc, Mapping) else None
    return tuple(parts)


def validate_text(
    text: str, file: str, known_nodes: Mapping[str, set[str]] | None = None
) -> list[Problem]:
    """Check a flow given as JSON text; `file` names it in problems and locates its media."""
    return _check(_parse(text, file), Context(known_nodes=known_nodes))


def validate_file(path: Path, known_nodes: Mapping[str, set[str]] | None = None) -> list[Problem]:
    """Check one flow file. `known_nodes` (flow id -> node ids) resolves "flow-id:node" targets."""
    return _check(_read(path), Context(known_nodes=known_nodes))


def validate_paths(paths: Sequence[Path]) -> list[Problem]:
    """Check flow files together (folders give their *.json, not recursively).

    Every file is checked even when others are broken; "flow-id:node" targets resolve against
    all the flows given; a flow id used by two files, or two flows marked main, is an error.
    """
    sources = [_read(path) for path in flow_files(paths)]
    owners: dict[str, str] = {}
    known: dict[str, set[str]] = {}
    saved: dict[str, set[str]] = {}
    entered: dict[str, set[str]] = {}
    extra: dict[str, list[Problem]] = {}
    mains: list[str] = []
    for source in sources:
        doc = source.doc
        if not isinstance(doc, Mapping) or not isinstance(doc.get("flow"), str):
            continue
        flow_id = doc["flow"]
        if flow_id in owners:
            extra.setdefault(source.file, []).append(
                Problem(
                    source.file,
                    "/flow",
                    *_Locator(source.text)(["flow"]),
                    "error",
                    f"flow id {flow_id!r} is also used by {owners[flow_id]}",
                    "give each flow file its own id",
                )
            )
            continue
        owners[flow_id] = source.file
        nodes = doc.get("nodes")
        nodes = nodes if isinstance(nodes, Mapping) else {}
        known[flow_id] = set(nodes)
        saved[flow_id] = _saved_vars(nodes)
        for target in _cross_targets(nodes):
            other, node = target.split(":", 1)
            if other != flow_id:
                entered.setdefault(other, set()).add(node)
        if doc.get("main") is True:
            mains.append(source.file)
    for file in mains[1:]:
        extra.setdefault(file, []).append(
            Problem(
                file,
                "/main",
                *_Locator(_text_of(sources, file))(["main"]),
                "error",
                f"another flow is marked main too ({mains[0]})",
                'mark only one flow "main": true',
            )
        )
    problems: list[Problem] = []
    for source in sources:
        doc = source.doc
        flow_id = doc.get("flow") if isinstance(doc, Mapping) else None
        others = {v for f, names in saved.items() if f != flow_id for v in names}
        context = Context(
            known_nodes=known,
            entered_at=frozenset(entered.get(str(flow_id), ())),
            outside_vars=frozenset(others),
        )
        found = _check(source, context) + extra.get(source.file, [])
        problems += sorted(found, key=lambda p: (p.line, p.column))
    return problems


def _text_of(sources: Sequence[_Source], file: str) -> str:
    return next(s.text for s in sources if s.file == file)


def _saved_vars(nodes: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for node in nodes.values():
        ask = node.get("ask") if isinstance(node, Mapping) else None
        if isinstance(ask, Mapping) and isinstance(ask.get("save_as"), str):
            names.add(ask["save_as"])
    return names


def _cross_targets(nodes: Mapping[str, Any]) -> Iterator[str]:
    for node in nodes.values():
        for _, target in local_targets(node):
            if ":" in target:
                yield target

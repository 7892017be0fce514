"""Edits to a JSON file's text that leave everything else byte for byte as the author wrote it.

A flow file is hand-formatted (some objects on one line, some spread over several) and kept
in version control, so tools that change a few values must not re-indent the rest. Each edit
is a splice of the original text found through its source map (`json_source_map`); a new
object is written in the style of the place it goes to. `rewrite` checks the spliced text
parses to the wanted document, and falls back to a full re-dump in the file's indent if not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from json_source_map import calculate

from engine.authoring.schema import pointer_of
from engine.authoring.validation_common import Parts


@dataclass(frozen=True)
class Splice:
    """Replace text[start:end] by `text`."""

    start: int
    end: int
    text: str


def _indent_unit(text: str) -> str:
    """The file's indentation step: a tab, or the smallest run of leading spaces (default 2)."""
    sizes = [len(m.group(1)) for m in re.finditer(r"\n( +)\S", text)]
    if re.search(r"\n\t+\S", text) and not sizes:
        return "\t"
    return " " * min(sizes) if sizes else "  "


class JsonText:
    """A JSON document's text with the places of its values, for splicing edits."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.places = calculate(text)
        self.unit = _indent_unit(text)
        self.ensure_ascii = text.isascii() and "\\u" in text

    def dumps(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=self.ensure_ascii)

    def _span(self, parts: Parts) -> tuple[int, int]:
        entry = self.places[pointer_of(parts)]
        return int(entry.value_start.position), int(entry.value_end.position)

    def _line_indent(self, position: int) -> str | None:
        """The indentation of the line `position` is on, if only spaces come before it there."""
        start = self.text.rfind("\n", 0, position) + 1
        before = self.text[start:position]
        return before if not before.strip() else None

    def _colon(self, parts: Parts) -> str:
        """How the file writes `"key": value` at this place (from this object's members)."""
        entry = self.places.get(pointer_of(parts))
        if entry is not None and entry.key_end is not None:
            return self.text[entry.key_end.position : entry.value_start.position]
        return ": "

    def replace(self, parts: Parts, value: Any) -> Splice:
        """Put `value` at `parts`; a new object is spread over lines where its place is."""
        start, end = self._span(parts)
        if not isinstance(value, dict):
            return Splice(start, end, self.dumps(value))
        indent = self._line_indent(self._member_start(parts))
        colon = self._colon(parts) if parts and isinstance(parts[-1], str) else ": "
        members = [f"{self.dumps(key)}{colon}{self.dumps(item)}" for key, item in value.items()]
        if indent is None:
            return Splice(start, end, "{" + ", ".join(members) + "}")
        inner = indent + self.unit
        body = (",\n" + inner).join(members)
        return Splice(start, end, "{\n" + inner + body + "\n" + indent + "}")

    def _member_start(self, parts: Parts) -> int:
        entry = self.places[pointer_of(parts)]
        start = entry.key_start if entry.key_start is not None else entry.value_start
        return int(start.position)

    def _append(self, parts: Parts, children: Sequence[Parts], new_member: str) -> Splice:
        """Add a member after the last of `children` (the container's members, in order)."""
        if len(children) >= 2:
            gap = self.text[self._span(children[0])[1] : self._member_start(children[1])]
        else:
            start, end = self._span(parts)
            indent = self._line_indent(self._member_start(children[0]))
            one_line = "\n" not in self.text[start:end] or indent is None
            gap = ", " if one_line else ",\n" + (indent or "")
        at = self._span(children[-1])[1]
        return Splice(at, at, gap + new_member)

    def set_member(self, parts: Parts, current: dict[str, Any], key: str, value: Any) -> Splice:
        """Set `key` of the object `current` found at `parts`: replaced in place, or appended."""
        if key in current:
            return self.replace((*parts, key), value)
        children = [(*parts, k) for k in current]
        colon = self._colon(children[-1])
        return self._append(parts, children, f"{self.dumps(key)}{colon}{self.dumps(value)}")

    def append_item(self, parts: Parts, current: list[Any], value: Any) -> Splice:
        """Add `value` at the end of the non-empty list `current` found at `parts`."""
        children = [(*parts, index) for index in range(len(current))]
        return self._append(parts, children, self.dumps(value))


def apply(text: str, splices: Sequence[Splice]) -> str:
    """The text with every (non-overlapping) splice made."""
    out = text
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        out = out[: splice.start] + splice.text + out[splice.end :]
    return out


def redump(original: str, document: Any) -> str:
    """The document written whole, in the original's indent, escaping and final newline."""
    source = JsonText(original)
    text = json.dumps(document, indent=source.unit, ensure_ascii=source.ensure_ascii)
    return text + "\n" if original.endswith("\n") else text


def rewrite(original: str, splices: Sequence[Splice], document: Any) -> str:
    """The original with the splices made, if that gives exactly `document` (key order too);
    otherwise `document` re-dumped whole in the original's style."""
    if not splices:
        edited = original
    else:
        try:
            edited = apply(original, splices)
        except (KeyError, IndexError):  # pragma: no cover - splices come from the same text
            return redump(original, document)
    try:
        parsed = json.loads(edited, object_pairs_hook=list)
    except json.JSONDecodeError:
        return redump(original, document)
    wanted = json.loads(json.dumps(document), object_pairs_hook=list)
    return edited if parsed == wanted else redump(original, document)

"""Checks that a branch compares a saved answer with a value of the answer's type: a number
ask's variable with a number, a yes_no with true or false, a date with an ISO date."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from engine.authoring.validation_common import Finding, FlowView

ORDERING = ("<", "<=", ">", ">=")
EQUALITY = ("==", "!=")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


_FITS = {
    "number": (_is_number, 'a number, e.g. 2 (not "2")'),
    "integer": (_is_number, 'a number, e.g. 2 (not "2")'),
    "yes_no": (lambda v: isinstance(v, bool), 'true or false (not "yes")'),
    "date": (_is_date, 'an ISO date, e.g. "2026-12-25"'),
    "text": (lambda v: isinstance(v, str), 'a text in quotes, e.g. "Pune"'),
    "regex": (lambda v: isinstance(v, str), 'a text in quotes, e.g. "400088"'),
}


def _ask_types(view: FlowView) -> dict[str, set[str]]:
    types: dict[str, set[str]] = {}
    for node in view.sound_nodes().values():
        ask = node.get("ask")
        if isinstance(ask, Mapping) and isinstance(ask.get("save_as"), str):
            types.setdefault(ask["save_as"], set()).add(str(ask.get("type")))
    return types


def type_findings(view: FlowView) -> Iterator[Finding]:
    """A branch value that cannot match the type its variable is saved as is an error."""
    types = _ask_types(view)
    for node_id, node in view.sound_nodes().items():
        for index, rule in enumerate(node.get("branch", ())):
            condition = rule["if"]
            kinds = types.get(condition["var"], set())
            op = condition["op"]
            if len(kinds) != 1 or (op not in ORDERING and op not in EQUALITY and op != "in"):
                continue
            (kind,) = kinds
            fits, wanted = _FITS.get(kind, (None, ""))
            if fits is None:
                continue
            if op in ORDERING and kind in ("yes_no", "text", "regex"):
                yield Finding(
                    ("nodes", node_id, "branch", index, "if", "op"),
                    "error",
                    f"{condition['var']!r} is saved by a {kind} ask; {op} does not order it",
                    "use == or != (or contains / matches for text)",
                )
                continue
            values = condition.get("value")
            values = values if op == "in" and isinstance(values, list) else [values]
            for value in values:
                if not fits(value):
                    yield Finding(
                        ("nodes", node_id, "branch", index, "if", "value"),
                        "error",
                        f"{condition['var']!r} is saved by a {kind} ask, so it never equals "
                        f"{value!r}",
                        f"compare it with {wanted}",
                    )
                    break

"""Branch conditions: `{"var": ..., "op": ..., "value": ...}` evaluated on saved variables."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from engine.core.flow import Rule
from engine.core.text import normalize

OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "contains", "matches", "set", "unset")


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Numbers compare as numbers (a saved "5" equals 5), other values as normalized text."""
    if isinstance(left, bool) or isinstance(right, bool):
        return (left, right) if type(left) is type(right) else None
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left, right
    try:
        return float(left), float(right)
    except (TypeError, ValueError):
        pass
    if isinstance(left, str) and isinstance(right, str):
        return normalize(left), normalize(right)
    return None


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _order(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(left: Any, right: Any) -> bool:
        pair = _comparable(left, right)
        if pair is None:
            return False
        try:
            return test(*pair)
        except TypeError:
            return False

    return compare


def _equal(left: Any, right: Any) -> bool:
    pair = _comparable(left, right)
    return pair is not None and pair[0] == pair[1]


def _in(left: Any, right: Any) -> bool:
    return isinstance(right, list) and any(_equal(left, item) for item in right)


def _contains(left: Any, right: Any) -> bool:
    if isinstance(left, list):
        return any(_equal(item, right) for item in left)
    return isinstance(left, str) and normalize(str(right)) in normalize(left)


def _matches(left: Any, right: Any) -> bool:
    return isinstance(left, str) and _regex(str(right)).search(left) is not None


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda left, right: not _equal(left, right),
    "<": _order(lambda a, b: a < b),
    "<=": _order(lambda a, b: a <= b),
    ">": _order(lambda a, b: a > b),
    ">=": _order(lambda a, b: a >= b),
    "in": _in,
    "contains": _contains,
    "matches": _matches,
}


def holds(rule: Rule, variables: Mapping[str, Any]) -> bool:
    """Whether a rule's condition holds; a missing variable satisfies only `unset` and `!=`."""
    present = variables.get(rule.var) not in (None, "")
    if rule.op == "set":
        return present
    if rule.op == "unset":
        return not present
    if not present:
        return rule.op == "!="
    return _TESTS[rule.op](variables[rule.var], rule.value)

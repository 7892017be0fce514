"""Branch conditions, as a designer writes them."""

from __future__ import annotations

from typing import Any

import pytest

from engine.core.conditions import holds
from engine.core.flow import Rule

VARS: dict[str, Any] = {
    "years": 5,
    "subject": "Maths",
    "typed": "12",
    "tags": ["a", "b"],
    "empty": "",
}


@pytest.mark.parametrize(
    ("var", "op", "value", "expected"),
    [
        ("years", "<", 10, True),
        ("years", "<=", 5, True),
        ("years", ">", 5, False),
        ("years", ">=", 5, True),
        ("years", "==", 5, True),
        ("typed", "==", 12, True),  # a typed number equals the number
        ("subject", "==", "maths", True),  # text compares without case
        ("subject", "!=", "science", True),
        ("subject", "in", ["Science", "MATHS"], True),
        ("subject", "contains", "ath", True),
        ("tags", "contains", "b", True),
        ("subject", "matches", "^M.*s$", True),
        ("subject", "<", 3, False),  # text and numbers do not order
        ("years", "set", None, True),
        ("missing", "set", None, False),
        ("empty", "unset", None, True),
        ("missing", "unset", None, True),
        ("missing", "==", 1, False),
        ("missing", "!=", 1, True),
        ("missing", "<", 1, False),
    ],
)
def test_condition(var: str, op: str, value: Any, expected: bool) -> None:
    assert holds(Rule(var, op, value, "x"), VARS) is expected

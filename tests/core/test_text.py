from __future__ import annotations

import pytest

from engine.core.text import ascii_digits, localize, normalize, parse_duration, render


def test_localize_falls_back_to_the_flows_first_language() -> None:
    text = {"en": "Hello", "hi": "नमस्ते"}
    assert localize(text, "hi", ["en", "hi"]) == "नमस्ते"
    assert localize(text, "mr", ["en", "hi"]) == "Hello"
    assert localize({"hi": "नमस्ते"}, "en", ["en", "hi"]) == "नमस्ते"
    assert localize("Plain", "hi", ["en"]) == "Plain"


def test_render_inserts_variables_and_never_fails_on_missing_ones() -> None:
    assert (
        render("{years} years in {district}", {"years": 5.0, "district": "Pune"})
        == "5 years in Pune"
    )
    assert render("You said: {feedback}", {}) == "You said: "
    assert render("{Not A Var} {}", {}) == "{Not A Var} {}"


def test_normalize_and_digits() -> None:
    assert normalize("  Digital   Literacy ") == "digital literacy"
    assert ascii_digits("२०२६") == "2026"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("30m", 1800), ("24h", 86400), ("7d", 604800)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match="30m, 24h or 7d"):
        parse_duration("1 week")

"""The published flow schema: valid 2020-12, documented everywhere, and true to DESIGN.md."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from engine.authoring.schema import SCHEMA_ID, SCHEMA_PATH, load_schema, schema_errors

DOCS = Path(__file__).resolve().parents[2] / "docs" / "flow-format.md"

# The example of DESIGN.md ("Flow file format"), with the nodes it leaves out added at the end.
DESIGN_EXAMPLE = r"""
{
  "$schema": "../schemas/flow.schema.json",
  "flow": "clix-teachers",
  "title": "CLIx teacher helpdesk",
  "languages": ["en", "hi"],
  "start": "start",
  "keyboard": "reply",
  "expire_after": "7d",
  "labels": {"back": {"en": "Back", "hi": "वापस"}, "restart": {"en": "Restart", "hi": "फिर से शुरू"}},
  "nodes": {
    "start": {
      "say": [{"en": "Hello teacher! Choose a topic.", "hi": "नमस्ते! विषय चुनिए।"}],
      "choices": [
        {"label": {"en": "Modules", "hi": "मॉड्यूल"}, "next": "modules"},
        {"label": "Feedback", "next": "feedback"}
      ]
    },
    "modules": {
      "say": ["Which module?",
              {"document": "https://example.org/maths.pdf", "caption": "Maths handbook"}],
      "choices": [{"label": "Maths", "next": "maths"}, {"label": "English", "next": "english"}]
    },
    "years": {
      "say": "How many years have you been teaching?",
      "ask": {"save_as": "years", "type": "number", "min": 0, "max": 60,
              "retry": "Please send a number, for example 5."},
      "next": "route",
      "timeout": {"after": "24h", "next": "nudge"}
    },
    "route": {"branch": [{"if": {"var": "years", "op": "<", "value": 2}, "next": "novice"}],
              "else": "expert"},
    "feedback": {"say": "Tell us what you think.", "ask": {"save_as": "feedback", "type": "text"},
                 "next": "thanks"},
    "thanks": {"say": "Thank you, we read every message. You said: {feedback}", "next": "start"},
    "bye": {"say": "Goodbye!", "end": true},
    "maths": {"say": "Maths modules", "next": "years"},
    "english": {"say": "English modules", "next": "years"},
    "novice": {"say": "Welcome to teaching!", "next": "bye"},
    "expert": {"say": "Thank you for your experience!", "next": "bye"},
    "nudge": {"say": "Still there?", "choices": [{"label": "Yes", "next": "years"}]}
  }
}
"""


def _properties(schema: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    """Every property schema (and every $defs entry), except inside if/then/else refinements."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _properties(item, f"{where}/{index}")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in ("if", "then", "else"):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            for name, sub in value.items():
                yield f"{where}/{key}/{name}", sub
                yield from _properties(sub, f"{where}/{key}/{name}")
        else:
            yield from _properties(value, f"{where}/{key}")


def test_schema_is_valid_2020_12_with_its_id() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] and schema["description"]
    assert load_schema() == schema


def test_every_property_has_a_title_and_description() -> None:
    found = list(_properties(load_schema()))
    assert len(found) > 60
    for where, sub in found:
        assert isinstance(sub, dict), where
        assert sub.get("title"), f"{where} has no title"
        assert sub.get("description"), f"{where} has no description"


def test_design_example_validates() -> None:
    assert schema_errors(json.loads(DESIGN_EXAMPLE)) == []


def test_design_example_also_passes_the_semantic_checks() -> None:
    from engine.authoring.validation import validate_text

    problems = validate_text(DESIGN_EXAMPLE, "flows/clix-teachers.json")
    assert [p.format() for p in problems if p.severity == "error"] == []
    # its plain-string texts in an English and Hindi flow are the missing-language warning
    warned = {p.pointer for p in problems}
    assert "/nodes/start/choices/1/label" in warned and "/nodes/bye/say" in warned
    assert all("one language only" in p.message for p in problems)


def test_top_level_fields_are_the_decided_ones() -> None:
    schema = load_schema()
    assert set(schema["required"]) == {"flow", "languages", "start", "nodes"}
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "$schema", "flow", "title", "description", "version", "languages", "start", "main",
        "keyboard", "expire_after", "welcome_back_after", "labels", "entry_points", "moved",
        "allow_groups", "nodes",
    }  # fmt: skip


def test_node_ways_on_are_exclusive() -> None:
    def node_errors(node: dict[str, Any]) -> list[str]:
        doc = {"flow": "f", "languages": ["en"], "start": "a", "nodes": {"a": node}}
        return [e.pointer for e in schema_errors(doc)]

    assert node_errors({"say": "x", "end": True}) == []
    assert node_errors({"next": "a"}) == []
    assert node_errors({"ask": {"save_as": "v", "type": "yes_no"}, "next": "a"}) == []
    assert node_errors({"choices": [{"label": "x", "next": "a"}]}) == []
    assert (
        node_errors({"branch": [{"if": {"var": "v", "op": "set"}, "next": "a"}], "else": "a"}) == []
    )
    bad: dict[str, Any]
    for bad in (
        {"say": "x"},
        {"choices": [{"label": "x", "next": "a"}], "next": "a"},
        {"ask": {"save_as": "v", "type": "text"}},
        {"branch": [{"if": {"var": "v", "op": "set"}, "next": "a"}]},
        {"else": "a"},
        {"next": "a", "end": True},
        {"end": False},
        {"next": "a", "timeout": {"after": "1h", "next": "a"}},
        {"choices": []},
    ):
        assert len(node_errors(bad)) == 1, bad


def test_docs_mention_every_property() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for where, _ in _properties(load_schema()):
        name = where.rsplit("/", 1)[-1]
        if "/$defs/" in where and where.count("/") == 2:
            continue
        assert f"`{name}`" in text, f"docs/flow-format.md does not mention `{name}` ({where})"

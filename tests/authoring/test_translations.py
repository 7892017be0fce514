"""Translators' PO files: what an export holds, and what an import does to the flow file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from engine.authoring.translations import (
    MergeReport,
    TranslationError,
    build_catalog,
    carry_over,
    catalog_bytes,
    merge,
    read_catalog,
)
from engine.authoring.validation import validate_text

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "flows" / "clix-teachers.json"
COMPACT = ROOT / "tests" / "fixtures" / "helpdesk.json"

SMALL = """{
  "flow": "small",
  "languages": ["en", "hi"],
  "labels": {"back": "Back"},
  "start": "start",
  "nodes": {
    "start": {
      "say": ["Hello!", {"photo": "https://example.org/a.png", "caption": "A map"}],
      "choices": [{"label": {"en": "Go", "hi": "चलो"}, "next": "ask"}]
    },
    "ask": {
      "say": "How old are you?",
      "ask": {"save_as": "age", "type": "integer", "retry": "Send a number, e.g. 30."},
      "next": "thanks",
      "timeout": {"after": "1h", "next": "done", "say": "Still there?"}
    },
    "thanks": {"say": "{age} years: thank you.", "next": "done"},
    "done": {"say": "Bye.", "end": true}
  }
}
"""


def _export(text: str, language: str, file: str = "flow.json") -> Catalog:
    """Export, write and read back: the catalog a translator's tool would see."""
    catalog, _ = build_catalog(json.loads(text), language, Path(file), text)
    return read_catalog(catalog_bytes(catalog), "x.po")


def _by_context(catalog: Catalog) -> dict[str, tuple[str, str]]:
    return {str(m.context): (str(m.id), str(m.string)) for m in catalog if m.id}


def _translate(catalog: Catalog, translations: dict[str, str]) -> bytes:
    for message in catalog:
        if message.context in translations:
            message.string = translations[message.context]
    return catalog_bytes(catalog)


def _merge(text: str, po: bytes) -> tuple[str, MergeReport]:
    report = merge(text, read_catalog(po, "x.po"), "x.po", "flow.json")
    return report.text, report


def test_export_holds_every_user_visible_text_with_node_and_pointer() -> None:
    entries = _by_context(_export(SMALL, "mr"))
    assert entries == {
        "- /labels/back": ("Back", ""),
        "start /nodes/start/say/0": ("Hello!", ""),
        "start /nodes/start/say/1/caption": ("A map", ""),
        "start /nodes/start/choices/0/label": ("Go", ""),
        "ask /nodes/ask/say": ("How old are you?", ""),
        "ask /nodes/ask/ask/retry": ("Send a number, e.g. 30.", ""),
        "ask /nodes/ask/timeout/say": ("Still there?", ""),
        "thanks /nodes/thanks/say": ("{age} years: thank you.", ""),
        "done /nodes/done/say": ("Bye.", ""),
    }


def test_export_of_example_gives_source_beside_existing_translation_and_identifies_flow() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = json.loads(text)
    catalog = _export(text, "hi", "clix-teachers.json")
    entries = _by_context(catalog)
    assert entries["- /labels/back"] == ("Back", "वापस")
    start = doc["nodes"]["start"]
    assert entries["start /nodes/start/say"] == (start["say"]["en"], start["say"]["hi"])
    assert entries["start /nodes/start/choices/0/label"] == ("CLIx modules", "CLIx मॉड्यूल")
    assert any(c.endswith("/ask/retry") for c in entries)
    assert any(c.endswith("/caption") for c in entries)
    assert len(entries) == 156
    assert catalog.project == "clix-teachers"
    assert str(catalog.version).startswith("texts-")
    assert str(catalog.locale) == "hi"
    message = next(m for m in catalog if m.context == "start /nodes/start/say")
    assert message.locations == [("clix-teachers.json", 43)]


def test_a_text_with_no_source_language_version_is_left_out_and_named() -> None:
    doc = json.loads(SMALL)
    doc["labels"]["back"] = {"hi": "वापस"}
    catalog, texts = build_catalog(doc, "mr", Path("flow.json"))
    assert texts.no_source == ["- /labels/back"]
    assert "- /labels/back" not in {m.context for m in catalog}


def test_export_refuses_the_source_language_and_a_broken_flow() -> None:
    with pytest.raises(TranslationError, match="source language"):
        _export(SMALL, "en")
    broken = json.loads(SMALL)
    del broken["start"]
    with pytest.raises(TranslationError, match="flow schema"):
        build_catalog(broken, "mr", Path("flow.json"))


def test_import_merges_translations_and_turns_plain_strings_into_objects() -> None:
    po = _translate(
        _export(SMALL, "hi"),
        {
            "- /labels/back": "वापस",
            "start /nodes/start/say/0": "नमस्ते!",
            "thanks /nodes/thanks/say": "{age} वर्ष: धन्यवाद।",
            "ask /nodes/ask/ask/retry": "कोई संख्या भेजें, जैसे 30।",
        },
    )
    text, report = _merge(SMALL, po)
    doc = json.loads(text)
    assert doc["labels"]["back"] == {"en": "Back", "hi": "वापस"}
    assert doc["nodes"]["start"]["say"][0] == {"en": "Hello!", "hi": "नमस्ते!"}
    assert doc["nodes"]["ask"]["ask"]["retry"]["hi"] == "कोई संख्या भेजें, जैसे 30।"
    assert doc["nodes"]["start"]["choices"][0]["label"] == {"en": "Go", "hi": "चलो"}
    assert list(doc["nodes"]["ask"]) == ["say", "ask", "next", "timeout"]
    assert report.applied == [
        "- /labels/back",
        "start /nodes/start/say/0",
        "ask /nodes/ask/ask/retry",
        "thanks /nodes/thanks/say",
    ]
    assert report.unchanged == ["start /nodes/start/choices/0/label"]
    assert not report.language_added and report.placeholders == []
    # untouched lines stay as written
    kept = [line for line in SMALL.splitlines() if "Back" not in line and "Hello" not in line]
    kept = [line for line in kept if "retry" not in line and "thanks" not in line]
    assert all(line in text.splitlines() for line in kept)
    assert not [p for p in validate_text(text, "flow.json") if p.severity == "error"]


def test_import_of_a_new_language_adds_it_and_keeps_a_compact_file_compact() -> None:
    text = COMPACT.read_text(encoding="utf-8")
    po = _translate(_export(text, "mr"), {"start /nodes/start/choices/0/label": "मॉड्यूल्स"})
    merged, report = _merge(text, po)
    assert report.language_added is True
    before, after = text.splitlines(), merged.splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ('  "languages": ["en", "hi"],', '  "languages": ["en", "hi", "mr"],'),
        (
            '        {"label": {"en": "Modules", "hi": "मॉड्यूल"}, "next": "modules"},',
            '        {"label": {"en": "Modules", "hi": "मॉड्यूल", "mr": "मॉड्यूल्स"}, '
            '"next": "modules"},',
        ),
    ]
    problems = validate_text(merged, str(COMPACT))
    assert not [p for p in problems if p.severity == "error"]
    assert any("no mr version" in p.message for p in problems)


def test_fuzzy_entries_are_reported_and_not_applied_untranslated_ones_reported() -> None:
    catalog = _export(SMALL, "hi")
    for message in catalog:
        if message.context == "done /nodes/done/say":
            message.string = "अलविदा।"
            message.flags.add("fuzzy")
        if message.context == "ask /nodes/ask/say":
            message.string = "आपकी उम्र कितनी है?"
    text, report = _merge(SMALL, catalog_bytes(catalog))
    doc = json.loads(text)
    assert doc["nodes"]["done"]["say"] == "Bye."
    assert doc["nodes"]["ask"]["say"] == {"en": "How old are you?", "hi": "आपकी उम्र कितनी है?"}
    assert report.fuzzy == ["done /nodes/done/say"]
    assert "- /labels/back" in report.untranslated
    assert "ask /nodes/ask/say" not in report.untranslated
    assert len(report.untranslated) == 6  # 9 texts: 1 fuzzy, 1 set, 1 already so


def test_a_translation_dropping_a_variable_is_flagged() -> None:
    po = _translate(_export(SMALL, "hi"), {"thanks /nodes/thanks/say": "धन्यवाद।"})
    _, report = _merge(SMALL, po)
    assert report.placeholders == ["thanks /nodes/thanks/say"]


def test_a_file_for_another_flow_is_refused() -> None:
    po = catalog_bytes(_export(COMPACT.read_text(encoding="utf-8"), "mr"))
    with pytest.raises(TranslationError, match="made for the flow 'helpdesk', not 'small'"):
        merge(SMALL, read_catalog(po, "x.po"), "x.po", "flow.json")


def test_a_file_for_another_revision_of_the_texts_is_refused() -> None:
    po = catalog_bytes(_export(SMALL, "hi"))
    changed = SMALL.replace("Bye.", "Goodbye.")
    with pytest.raises(TranslationError, match="another revision of the texts"):
        merge(changed, read_catalog(po, "x.po"), "x.po", "flow.json")
    # a change elsewhere (not a source text) keeps the file usable
    retimed = SMALL.replace('"after": "1h"', '"after": "2h"')
    assert merge(retimed, read_catalog(po, "x.po"), "x.po", "flow.json").untranslated


def test_a_fresh_export_carries_over_an_older_files_translations() -> None:
    old = _export(SMALL, "hi")
    _translate(old, {"done /nodes/done/say": "अलविदा।", "ask /nodes/ask/say": "उम्र?"})
    changed = SMALL.replace('"Bye."', '"Goodbye."')
    fresh = _export(changed, "hi")
    report = carry_over(fresh, old, "old.po")
    assert report.kept == ["start /nodes/start/choices/0/label", "ask /nodes/ask/say"]
    assert report.fuzzy == ["done /nodes/done/say"]
    po = catalog_bytes(fresh)
    assert (
        '#, fuzzy\n#| msgid "Bye."\nmsgctxt "done /nodes/done/say"\nmsgid "Goodbye."\n'
        'msgstr "अलविदा।"'
    ) in po.decode()
    text, merged = _merge(changed, po)
    assert merged.applied == ["ask /nodes/ask/say"] and merged.fuzzy == ["done /nodes/done/say"]
    assert json.loads(text)["nodes"]["done"]["say"] == "Goodbye."
    with pytest.raises(TranslationError, match="is in hi, not mr"):
        carry_over(_export(SMALL, "mr"), old, "old.po")


def test_an_edited_msgid_is_refused() -> None:
    po = catalog_bytes(_export(SMALL, "hi")).replace(b'msgid "Bye."', b'msgid "Ciao."')
    with pytest.raises(TranslationError, match="does not match the flow's texts"):
        merge(SMALL, read_catalog(po, "x.po"), "x.po", "flow.json")


@pytest.mark.parametrize("flow", [EXAMPLE, COMPACT], ids=["example", "compact"])
def test_round_trip_without_changes_is_byte_identical(flow: Path) -> None:
    text = flow.read_text(encoding="utf-8")
    for language in ("hi", "mr"):
        merged, report = _merge(text, catalog_bytes(_export(text, language)))
        assert merged == text
        assert report.applied == []


def test_full_translation_of_example_matches_a_fresh_dump_and_validates() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    catalog = _export(text, "mr")
    po = _translate(catalog, {str(m.context): f"[mr] {m.id}" for m in catalog if m.id})
    merged, report = _merge(text, po)
    assert len(report.applied) == 156 and report.untranslated == []
    doc = json.loads(merged)
    assert merged == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert doc["languages"] == ["en", "hi", "mr"]
    assert doc["labels"]["back"] == {"en": "Back", "hi": "वापस", "mr": "[mr] Back"}
    problems = validate_text(merged, str(EXAMPLE))
    assert [p.format() for p in problems] == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'msgid "a"\nmsgstr "b"\nnonsense here\n', r"^x\.po:3: not a valid PO file"),
        (b'msgid "a"\nmsgstr "b"\n', "not made by `clixchat translations export`"),
        (b"", "not made by `clixchat translations export`"),
    ],
    ids=["bad-line", "no-header", "empty"],
)
def test_a_malformed_po_file_is_one_line_error(data: bytes, expected: str) -> None:
    with pytest.raises(TranslationError, match=expected) as caught:
        read_catalog(data, "x.po")
    assert "\n" not in str(caught.value)

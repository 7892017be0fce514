"""`clixchat translations export|import` as a designer and a translator use them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from engine.cli.main import main

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "flows" / "clix-teachers.json"
COMPACT = ROOT / "tests" / "fixtures" / "helpdesk.json"


@pytest.fixture
def flows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A FLOWS_DIR holding a copy of the example flow (and its media); cwd is tmp_path."""
    folder = tmp_path / "flows"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    shutil.copytree(EXAMPLE.parent / "media", folder / "media")
    monkeypatch.setenv("FLOWS_DIR", str(folder))
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'cli.db'}")
    monkeypatch.chdir(tmp_path)
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def translate(po: Path, strings: dict[str, str], fuzzy: tuple[str, ...] = ()) -> None:
    """What a translator's tool does: fill some msgstr (some marked fuzzy) and save."""
    with po.open("rb") as file:
        catalog = read_po(file)
    for message in catalog:
        if message.context in strings:
            message.string = strings[message.context]
            if message.context in fuzzy:
                message.flags.add("fuzzy")
    with po.open("wb") as file:
        write_po(file, catalog)


def test_export_writes_a_po_file_named_after_flow_and_language(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    code, out, err = run(capsys, "translations", "export", "clix-teachers", "--language", "mr")
    assert code == 0 and out == ""
    assert "156 texts in en written to clix-teachers.mr.po" in err
    text = Path("clix-teachers.mr.po").read_text(encoding="utf-8")
    assert '"Project-Id-Version: clix-teachers texts-' in text
    assert '"Language: mr\\n"' in text
    assert 'msgctxt "- /labels/back"\nmsgid "Back"\nmsgstr ""' in text
    assert 'msgctxt "start /nodes/start/choices/0/label"\nmsgid "CLIx modules"\n' in text
    assert "#. hi: CLIx मॉड्यूल" in text  # the other translation, beside the source
    code, _, err = run(capsys, "translations", "export", "clix-teachers", "--language", "mr")
    assert code == 2 and "clix-teachers.mr.po exists" in err and len(err.splitlines()) == 1


def test_export_to_stdout_holds_existing_translations(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = str(flows / EXAMPLE.name)
    code, out, _ = run(capsys, "translations", "export", flow, "--language", "hi", "--out", "-")
    assert code == 0
    assert 'msgctxt "- /labels/back"\nmsgid "Back"\nmsgstr "वापस"' in out


def test_import_merges_reports_and_leaves_a_valid_flow(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = flows / EXAMPLE.name
    run(capsys, "translations", "export", "clix-teachers", "--language", "mr", "--out", "mr.po")
    translate(
        Path("mr.po"),
        {
            "- /labels/back": "मागे",
            "start /nodes/start/choices/0/label": "CLIx मॉड्यूल्स",
            "- /labels/yes": "हो",
        },
        fuzzy=("- /labels/yes",),
    )
    code, out, err = run(capsys, "translations", "import", "mr.po")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        f"{flow}: mr: 2 translated (2 set, 0 already so), 153 untranslated, 1 fuzzy (not applied)"
    )
    assert "  added mr to the flow's languages" in lines
    assert "  untranslated: start /nodes/start/say" in lines
    assert "  fuzzy: - /labels/yes" in lines
    doc = json.loads(flow.read_text(encoding="utf-8"))
    assert doc["languages"] == ["en", "hi", "mr"]
    assert doc["labels"]["back"] == {"en": "Back", "hi": "वापस", "mr": "मागे"}
    assert "mr" not in doc["labels"]["yes"]
    assert doc["nodes"]["start"]["choices"][0]["label"]["mr"] == "CLIx मॉड्यूल्स"
    code, _, err = run(capsys, "validate", str(flow))
    assert code == 0 and "0 error(s)" in err


def test_round_trip_changes_nothing_byte_for_byte(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = flows / EXAMPLE.name
    before = flow.read_bytes()
    for language in ("hi", "mr"):
        po = f"{language}.po"
        run(capsys, "translations", "export", str(flow), "--language", language, "--out", po)
        code, out, _ = run(capsys, "translations", "import", po, "--flow", str(flow))
        assert code == 0 and "(0 set, " in out
        assert flow.read_bytes() == before
    assert before == EXAMPLE.read_bytes()


def test_a_file_for_another_flow_is_refused(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = flows / EXAMPLE.name
    before = flow.read_bytes()
    run(capsys, "translations", "export", str(COMPACT), "--language", "mr", "--out", "other.po")
    code, out, err = run(capsys, "translations", "import", "other.po", "--flow", str(flow))
    assert code == 2 and out == ""
    assert err == (
        "clixchat translations: error: other.po was made for the flow 'helpdesk', not "
        f"'clix-teachers' ({flow})\n"
    )
    assert flow.read_bytes() == before
    code, _, err = run(capsys, "translations", "import", "other.po")  # looked up in FLOWS_DIR
    assert code == 2 and "no flow 'helpdesk' in FLOWS_DIR" in err


def test_a_file_for_changed_source_texts_is_refused(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = flows / EXAMPLE.name
    run(capsys, "translations", "export", "clix-teachers", "--language", "mr", "--out", "mr.po")
    translate(Path("mr.po"), {"- /labels/back": "मागे"})
    edited = flow.read_text(encoding="utf-8").replace('"en": "Back"', '"en": "Go back"')
    flow.write_text(edited, encoding="utf-8")
    code, _, err = run(capsys, "translations", "import", "mr.po")
    assert code == 2 and len(err.splitlines()) == 1
    assert "mr.po was made for another revision of the texts of clix-teachers" in err
    assert flow.read_text(encoding="utf-8") == edited


def test_after_a_source_change_export_from_the_old_file_carries_translations_over(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = flows / EXAMPLE.name
    run(capsys, "translations", "export", "clix-teachers", "--language", "mr", "--out", "old.po")
    translate(Path("old.po"), {"- /labels/back": "मागे", "- /labels/no": "नाही"})
    edited = flow.read_text(encoding="utf-8").replace('"en": "Back"', '"en": "Go back"')
    flow.write_text(edited, encoding="utf-8")
    argv = ("translations", "export", "clix-teachers", "--language", "mr", "--from", "old.po")
    code, _, err = run(capsys, *argv, "--out", "new.po")
    assert code == 0 and "1 translations as they were, 1 marked fuzzy" in err
    code, out, _ = run(capsys, "translations", "import", "new.po")
    assert code == 0 and "1 set, 0 already so), 154 untranslated, 1 fuzzy" in out
    doc = json.loads(flow.read_text(encoding="utf-8"))
    assert doc["labels"]["no"]["mr"] == "नाही" and "mr" not in doc["labels"]["back"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt not installed")
def test_gettext_accepts_the_exported_file(capsys: pytest.CaptureFixture[str], flows: Path) -> None:
    run(capsys, "translations", "export", "clix-teachers", "--language", "hi", "--out", "hi.po")
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", "hi.po"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "156 translated messages" in checked.stderr


def test_a_translation_that_breaks_the_flow_is_not_written(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    flow = flows / EXAMPLE.name
    before = flow.read_bytes()
    run(capsys, "translations", "export", "clix-teachers", "--language", "mr", "--out", "mr.po")
    translate(Path("mr.po"), {"- /labels/back": "मागे {nobody}"})
    code, out, err = run(capsys, "translations", "import", "mr.po")
    assert code == 1 and out == ""
    assert "/labels/back/mr: {nobody} is never saved" in err
    assert "not changed: the translations would give it 1 error(s)" in err
    assert flow.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\nthis is not PO\n', "bad.po:6: "),
        (b'{"flow": "clix-teachers"}\n', "bad.po:1: "),
        (b'msgid "a"\nmsgstr "b"\n', "bad.po: not made by `clixchat translations export`"),
    ],
    ids=["bad-line", "json", "no-header"],
)
def test_a_malformed_po_file_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], flows: Path, content: bytes, expected: str
) -> None:
    Path("bad.po").write_bytes(content)
    code, out, err = run(capsys, "translations", "import", "bad.po")
    assert code == 2 and out == ""
    assert err.startswith(f"clixchat translations: error: {expected}")
    assert len(err.splitlines()) == 1


def test_export_refuses_the_source_language_and_an_unknown_flow(
    capsys: pytest.CaptureFixture[str], flows: Path
) -> None:
    code, _, err = run(capsys, "translations", "export", "clix-teachers", "--language", "en")
    assert code == 2 and "en is the flow's source language" in err
    code, _, err = run(capsys, "translations", "export", "nope", "--language", "mr")
    assert code == 2 and "no flow 'nope' in FLOWS_DIR" in err

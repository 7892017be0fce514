"""`clixchat` as a designer uses it: validate, chat --script, graph, and one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.cli.main import main

ROOT = Path(__file__).parents[2]
BROKEN = ROOT / "tests" / "flows" / "broken"
HELPDESK = ROOT / "tests" / "fixtures" / "helpdesk.json"


@pytest.fixture(autouse=True)
def _database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'cli.db'}")
    monkeypatch.delenv("CLIXCHAT_SECRET", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_bundled_flows_exits_zero(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "validate")
    assert code == 0 and out == "" and "0 error(s)" in err


def test_validate_broken_and_good_reports_file_line_pointer_and_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(BROKEN / "ask_without_next.json", tmp_path / "broken.json")
    shutil.copy(HELPDESK, tmp_path / "good.json")
    code, out, _ = run(capsys, "validate", str(tmp_path))
    assert code == 1
    line = out.splitlines()[0]
    assert line.startswith(f"{tmp_path / 'broken.json'}:") and ": error: /nodes/start: " in line
    assert "good.json" not in out
    code, out, _ = run(capsys, "validate", "--format", "json", str(tmp_path / "broken.json"))
    problems = json.loads(out)
    assert code == 1 and problems[0]["severity"] == "error" and problems[0]["line"] >= 1


def test_chat_script_prints_the_transcript(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    script = tmp_path / "script.txt"
    script.write_text(
        "# a teacher walks the helpdesk\n/start\nmodules\nBack\n3\nmany\n7\n"
        "[sticker]\n/language\n2\n"
    )
    code, out, _ = run(capsys, "chat", str(HELPDESK), "--script", str(script))
    assert code == 0
    assert (
        "you> /start\nbot> Hello teacher! Choose a topic.\n     [1] Modules\n     [2] Feedback\n"
        in out
    )
    assert "[document: https://example.org/maths.pdf] Maths handbook" in out
    assert "bot> Please send a number, for example 5." in out
    assert "bot> Thank you for 7 years of teaching." in out
    assert "you> [sticker]\nbot> Thank you! I can only read text here." in out
    assert out.endswith(
        "bot> नमस्ते! विषय चुनिए।\n     [1] मॉड्यूल\n     [2] सुझाव\n     [3] प्रोफ़ाइल\n     [4] अलविदा\n"
    )


def test_chat_script_walks_the_bundled_programme(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    script = tmp_path / "s.txt"
    script.write_text("hello\n1\n1\n")
    code, out, _ = run(capsys, "chat", "--script", str(script))
    assert code == 0 and out.count("you> ") == 3 and "bot> " in out


def test_graph_mermaid_and_svg(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", str(HELPDESK))
    assert code == 0 and out.startswith("stateDiagram-v2")
    assert "start --> modules: Modules" in out and "route --> novice: if years < 2" in out
    assert 'state "start (choices) Hello teacher! Choose a topic." as start' in out
    assert 'state "years (ask number) How many years have you been …" as years' in out
    code, out, err = run(capsys, "graph", str(HELPDESK), "--format", "svg")
    if shutil.which("dot"):
        assert code == 0 and "<svg" in out and "years · ask number" in out
        code, page, _ = run(capsys, "graph", str(HELPDESK), "--format", "html")
        assert code == 0 and page.startswith("<!doctype html>") and "<svg" in page
        assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")
    else:
        assert code == 2 and err.count("\n") == 1 and "Graphviz" in err


def test_graph_shows_durations_as_written() -> None:
    from engine.authoring.graph import to_mermaid
    from tests.conftest import make_flow

    flow = make_flow(
        {
            "start": {
                "say": "Years?",
                "ask": {"save_as": "years", "type": "number"},
                "next": "done",
                "timeout": {"after": "24h", "next": "done"},
            },
            "done": {"say": "Thanks", "end": True},
        }
    )
    assert "start --> done: timeout 24h" in to_mermaid(flow)
    assert "86400" not in to_mermaid(flow)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate", "/no/such/dir"], "no such file or folder"),
        (["chat", "/no/such/flow.json"], "no such flow file"),
        (["chat", str(HELPDESK), "--script", "/no/such/script"], "no such script file"),
        (["graph"], "the following arguments are required: FLOW"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) if argv[0] in ("graph", "frobnicate") else _no_exit() as raised:
        code = main(argv)
    _, err = capsys.readouterr()
    status = raised.value.code if raised is not None and hasattr(raised, "value") else code
    assert status != 0 and expected in err and err.count("\n") == 1


class _no_exit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def test_chat_continues_where_the_last_run_stopped_and_fresh_starts_over(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text("/start\nProfile\n")
    second.write_text("7\n")
    assert run(capsys, "chat", str(HELPDESK), "--script", str(first))[0] == 0
    code, out, _ = run(capsys, "chat", str(HELPDESK), "--script", str(second))
    assert code == 0 and "bot> Thank you for 7 years of teaching." in out
    code, out, _ = run(capsys, "chat", str(HELPDESK), "--fresh", "--script", str(second))
    assert code == 0 and "you> 7\nbot> Hello teacher! Choose a topic." in out


def test_chat_memory_keeps_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "s.txt"
    script.write_text("/start\n")
    code, out, _ = run(capsys, "chat", str(HELPDESK), "--memory", "--script", str(script))
    assert code == 0 and "Hello teacher" in out and not (tmp_path / "cli.db").exists()


def test_db_upgrade_applies_migrations_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from engine.storage import schema_upgrade

    committed = list(
        Path(schema_upgrade.migrations_dir("sqlite://x.db"), "models").glob("[0-9]*_*.py")
    )
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and out.startswith(f"applied {len(committed)} migration(s)")
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and out.startswith("applied 0 migration(s)")


def test_validate_an_empty_folder_is_an_error_not_a_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Regression: a flows folder with no flow file passed CI."""
    empty = tmp_path / "no-flows"
    empty.mkdir()
    code, _, err = run(capsys, "validate", str(empty))
    assert code == 2 and "no flow files (*.json)" in err


def test_validate_names_the_files_it_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "validate", str(HELPDESK))
    assert code == 0 and f"0 error(s), 0 warning(s) in 1 file(s): {HELPDESK}" in err

"""`clixchat diff`: what a flow change does, and to how many waiting participants."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.main import main

HELPDESK = Path(__file__).parents[1] / "fixtures" / "helpdesk.json"


def edited(tmp_path: Path) -> Path:
    document = json.loads(HELPDESK.read_text(encoding="utf-8"))
    del document["nodes"]["years"]
    del document["nodes"]["route"]
    document["nodes"]["start"]["choices"][2]["next"] = "bye"
    document["nodes"]["nudge"]["choices"][0]["next"] = "start"
    document["nodes"]["bye"]["say"] = "See you!"
    document["nodes"]["novice"]["next"] = "start"
    document["moved"] = {"years": "feedback"}
    document["entry_points"] = ["feedback"]
    new = tmp_path / "new.json"
    new.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return new


def test_diff_lists_removed_and_changed_nodes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", str(HELPDESK), str(edited(tmp_path))])
    out = capsys.readouterr().out
    assert code == 0
    assert "removed  years  (waiting participants go to feedback)" in out
    assert "removed  route  (waiting participants go to path/start)" in out
    assert "changed  bye" in out and "changed  start" in out and "modules" not in out


def test_diff_counts_participants_waiting_at_each_node(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite://{tmp_path / 'diff.db'}"
    script = tmp_path / "s.txt"
    script.write_text("/start\nProfile\n")
    env_run = [
        sys.executable,
        "-m",
        "engine.cli.main",
        "chat",
        str(HELPDESK),
        "--script",
        str(script),
    ]
    subprocess.run(env_run, check=True, capture_output=True, env={"DATABASE_URL": url, "PATH": ""})
    code = main(
        ["diff", str(HELPDESK), str(edited(tmp_path)), "--database", url, "--format", "json"]
    )
    changes = {c["node"]: c for c in json.loads(capsys.readouterr().out)}
    assert code == 0
    assert changes["years"] == {
        "node": "years",
        "change": "removed",
        "goes_to": "feedback",
        "waiting": 1,
    }
    assert changes["start"]["waiting"] == 0


def test_diff_of_a_missing_or_broken_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ nope")
    assert main(["diff", str(HELPDESK), str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not valid JSON" in err

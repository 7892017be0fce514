"""`clixchat import-clixchat`: the flow file, the history, idempotence and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.storage.privacy import Privacy

ROOT = Path(__file__).parents[2]
DUMP = ROOT / "tests" / "fixtures" / "old-clixchat-dump.json"
SECRET = "import-test-secret"


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    flows = tmp_path / "flows"
    flows.mkdir()
    monkeypatch.setenv("FLOWS_DIR", str(flows))
    monkeypatch.setenv("CLIXCHAT_SECRET", SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{tmp_path / 'import.db'}")
    return flows


def test_the_flow_is_written_and_validates(
    settings: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-clixchat", str(DUMP)]) == 0
    out, err = capsys.readouterr()
    assert "13 elements -> 14 nodes" in out and "reported" in out
    assert "report: element 13 ('Maths'): a sibling has the same name" in err
    written = settings / "clixchat.json"
    assert json.loads(written.read_text(encoding="utf-8"))["flow"] == "clixchat"
    assert main(["validate", str(written)]) == 0
    first = written.read_bytes()
    assert main(["import-clixchat", str(DUMP)]) == 0
    assert written.read_bytes() == first  # the same dump writes the same file


def test_another_flow_id(settings: Path) -> None:
    assert main(["import-clixchat", str(DUMP), "--flow", "miti-old"]) == 0
    assert (settings / "miti-old.json").is_file()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "is not JSON"),
        ('[{"model": "bot.user", "pk": 1, "fields": {}}]', "no bot.element rows"),
        (
            '[{"model": "bot.element", "pk": 2, "fields": {"name": "x", "message_text": "y",'
            ' "parent": 1, "lft": 2, "tree_id": 1, "level": 1}}]',
            "no root element",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    settings: Path, tmp_path: Path, content: str | None, message: str
) -> None:
    dump = tmp_path / "dump.json"
    if content is not None:
        dump.write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "import-clixchat", str(dump), "--with-history"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr
    assert list(settings.iterdir()) == [] and not (tmp_path / "import.db").exists()


def test_history_is_pseudonymous_continues_and_imports_once(
    settings: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-clixchat", str(DUMP), "--with-history"]) == 0
    out = capsys.readouterr().out
    assert "users: 3 imported, 0 already there" in out
    assert "interactions: 3 imported, 0 already there, 1 without a user" in out
    assert main(["import-clixchat", str(DUMP), "--with-history"]) == 0
    out = capsys.readouterr().out
    assert "users: 0 imported, 3 already there" in out
    assert "interactions: 0 imported, 3 already there" in out

    import sqlite3

    with sqlite3.connect(tmp_path / "import.db") as db:
        rows = db.execute(
            "SELECT pseudonym, chat_cipher, node, path, last_seen FROM participant ORDER BY id"
        ).fetchall()
        kinds = db.execute("SELECT DISTINCT kind FROM interaction").fetchall()
        dumped = "\n".join(str(r) for r in db.iterdump())
    privacy = Privacy(SECRET)
    teacher = next(r for r in rows if r[0] == privacy.pseudonym("telegram", 5123456789))
    assert privacy.open(teacher[1]) == 5123456789
    assert teacher[2] == "maths" and json.loads(teacher[3]) == ["clixchat:start", "clixchat:maths"]
    assert str(teacher[4]).startswith("2018-03-01")
    assert kinds == [("imported",)]
    assert "5123456789" not in dumped  # the raw chat id is kept only encrypted

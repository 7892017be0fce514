"""`clixchat backup` / `restore` on the command line: exit codes and one-line reasons."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.service.backup import backups
from tests.service.test_backup import fill


def test_backup_restore_a_count_mismatch_and_a_target_with_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = f"sqlite://{tmp_path / 'source.db'}", f"sqlite://{tmp_path / 'target.db'}"
    asyncio.run(fill(source))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", source)
    assert main(["backup", "--dir", str(tmp_path / "b")]) == 0
    (folder,) = backups(tmp_path / "b")
    assert f"backup {folder} (sqlite, " in capsys.readouterr().out

    monkeypatch.setenv("DATABASE_URL", target)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["interaction"] += 1  # the manifest says more than the dump holds
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert main(["restore", str(folder)]) == 1
    assert "interaction: 9 rows, the manifest says 10" in capsys.readouterr().err

    assert main(["restore", str(folder)]) == 2  # the target now holds data
    err = capsys.readouterr().err
    assert err.startswith("clixchat restore: error: the database already holds data")
    assert err.count("\n") == 1

    assert main(["restore", str(tmp_path / "nowhere")]) == 2
    assert "no such backup folder" in capsys.readouterr().err

"""The package works installed as a wheel, not only from the checkout: the schema and the
migrations ship inside it, and `clixchat` runs from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
HELPDESK = ROOT / "tests" / "fixtures" / "helpdesk.json"

pytestmark = pytest.mark.timeout(600)


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel built from this checkout installed (not editable)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    # Build from a copy, so the build leaves nothing in the checkout.
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "__pycache__", "*.db*"
        ),
    )
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    out = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", base / "dist", source],
        base,
        env,
    )
    assert "SetuptoolsDeprecationWarning" not in out and "SetuptoolsWarning" not in out
    (wheel,) = (base / "dist").glob("clixchat-*.whl")
    venv.create(base / "venv", with_pip=True)
    out = _run([base / "venv" / "bin" / "pip", "install", "-q", wheel], base, env)
    assert "Warning" not in out
    return base / "venv" / "bin" / "clixchat"


def test_installed_wheel_validates_migrates_and_chats(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(HELPDESK, work / "helpdesk.json")
    env = {"PATH": str(installed.parent), "HOME": str(tmp_path), "LANG": "C.UTF-8"}

    out = _run([installed, "validate", "helpdesk.json"], work, env)
    assert "0 error(s)" in out

    out = _run([installed, "db", "upgrade", "--database", f"sqlite://{work / 'x.db'}"], work, env)
    assert out.startswith("applied ") and "_init.py" in out

    (work / "script.txt").write_text("/start\nModules\n", encoding="utf-8")
    out = _run(
        [installed, "chat", "helpdesk.json", "--script", "script.txt", "--memory"], work, env
    )
    assert "Hello teacher! Choose a topic." in out and "Which module?" in out

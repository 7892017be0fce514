"""The systemd units: the restart policy, the environment file and the hardening are there, and
`systemd-analyze verify` reads them without a complaint (no unknown key, no bad value)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).parents[2] / "ops" / "systemd"
NAMES = ["clixchat.service", "clixchat-scheduler.service"]
REQUIRED = [
    "Restart=on-failure",
    "EnvironmentFile=/etc/clixchat/env",
    "NoNewPrivileges=true",
    "ProtectSystem=strict",
    "ReadWritePaths=/srv/clixchat",
    "PrivateTmp=true",
    "User=clixchat",
]


@pytest.mark.parametrize("name", NAMES)
def test_unit_has_the_policy_and_hardening(name: str) -> None:
    lines = (UNITS / name).read_text().splitlines()
    for line in REQUIRED:
        assert line in lines, f"{name} lacks {line}"
    (start,) = [line for line in lines if line.startswith("ExecStart=")]
    command = "serve" if name == "clixchat.service" else "scheduler"
    assert start.startswith(f"ExecStart=/srv/clixchat/.venv/bin/clixchat {command}")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_analyze_verify_finds_nothing(tmp_path: Path) -> None:
    clixchat = Path(sys.executable).parent / "clixchat"
    for name in NAMES:
        text = (UNITS / name).read_text()
        # this machine has no clixchat user or /srv/clixchat: the same unit with local paths
        text = text.replace("/srv/clixchat/.venv/bin/clixchat", str(clixchat))
        text = text.replace("User=clixchat", "User=root").replace("Group=clixchat", "Group=root")
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{name}" for name in NAMES)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr

"""After `import-clixchat --with-history`, a teacher who used the old bot continues where they were
when they next write: the same Telegram id, the same place in the tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.e2e.stack import running_stack
from tests.support import updates as u

ROOT = Path(__file__).parents[2]
DUMP = ROOT / "tests" / "fixtures" / "old-clixchat-dump.json"
OLD_TEACHER = 5123456789  # last_node: the Maths menu


async def test_an_old_teacher_continues_at_their_old_menu(tmp_path: Path) -> None:
    flows = tmp_path / "imported-flows"
    flows.mkdir()
    database = f"sqlite://{tmp_path / 'e2e.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "import-clixchat", str(DUMP), "--with-history"],
        env={
            "PATH": "",
            "PYTHONPATH": str(ROOT),
            "FLOWS_DIR": str(flows),
            "DATABASE_URL": database,
            "CLIXCHAT_SECRET": "e2e-pseudonym-key",  # the stack's secret
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    async with running_stack(tmp_path, FLOWS_DIR=str(flows), DATABASE_URL=database) as stack:
        # "Geometry" is a child of Maths: only a teacher at Maths can choose it
        (reply,) = await stack.say(u.message(1, OLD_TEACHER, "Geometry"), OLD_TEACHER)
        assert reply.text == "Shapes around us" and reply.method == "sendPhoto"
        assert reply.labels[:3] == ["Geometry", "Ratio", "Fractions"]
        # a new teacher writing the same begins at the start menu
        (first,) = await stack.say(u.message(2, 42424242, "Geometry"), 42424242)
        assert first.text == "Welcome to CLIx! Choose a topic."
    shutil.rmtree(flows)

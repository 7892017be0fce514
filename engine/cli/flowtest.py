"""`clixchat test [PATH...] [--update] [--coverage]`: run the flows' scripted conversations."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.authoring.flow_tests import (
    ChatFileError,
    chat_files,
    read_chat,
    rewrite,
    run_chat,
    uncovered,
)
from engine.authoring.library import load_library
from engine.service.settings import ConfigError, load_settings


def _flows_dir(chat: Path, default: Path) -> Path:
    """`<flows>/tests/<flow>/x.chat` belongs to the flows in `<flows>`; else FLOWS_DIR."""
    parts = chat.resolve().parts
    if len(parts) >= 3 and parts[-3] == "tests":
        return Path(*parts[:-3])
    return default


def cmd_test(args: argparse.Namespace) -> int:
    flows_dir = load_settings().flows_dir
    paths = [Path(p) for p in args.paths] or [flows_dir / "tests"]
    for path in paths:
        if not path.exists():
            raise ConfigError(f"no such file or folder: {path}")
    files = chat_files(paths)
    if not files:
        raise ConfigError(f"no .chat conversations in {', '.join(str(p) for p in paths)}")
    libraries: dict[Path, Any] = {}
    failed, visited, flows_seen = 0, set[str](), dict[str, Any]()
    for file in files:
        folder = _flows_dir(file, flows_dir)
        if folder not in libraries:
            libraries[folder] = load_library([folder])
        library = libraries[folder]
        flow = file.parent.name if file.parent.name in library.flows else library.main
        try:
            chat = read_chat(file, flow)
        except ChatFileError as error:
            print(error, file=sys.stderr)
            failed += 1
            continue
        outcome = run_chat(chat, library)
        visited |= outcome.visited
        flows_seen[flow] = library
        if args.update and outcome.differences:
            file.write_text(rewrite(chat, outcome), encoding="utf-8")
            print(f"{file}: updated")
            continue
        for line in outcome.differences:
            print(line)
        failed += bool(outcome.differences)
    if args.coverage:
        for flow, library in sorted(flows_seen.items()):
            missing = uncovered(library, flow, visited)
            total = len(library.flows[flow].nodes)
            print(f"{flow}: {total - len(missing)} of {total} nodes reached by a conversation")
            for node in missing:
                print(f"  not reached: {node}")
    print(f"{len(files)} conversation(s), {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def add_commands(commands: Any) -> None:
    test = commands.add_parser("test", help="run the flows' scripted conversations (.chat)")
    test.add_argument(
        "paths", nargs="*", metavar="PATH", help=".chat files or folders (default: FLOWS_DIR/tests)"
    )
    test.add_argument("--update", action="store_true", help="rewrite the expected replies")
    test.add_argument("--coverage", action="store_true", help="list nodes no conversation reaches")
    test.set_defaults(run=cmd_test)

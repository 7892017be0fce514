"""`clixchat`: the command line. Each command is a small function; errors are one line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from engine.authoring.library import FlowError, FlowLibrary, load_library
from engine.cli.chat import cmd_chat
from engine.cli.data import DataError
from engine.service.settings import ConfigError, load_settings


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _library(flow: str | None) -> FlowLibrary:
    """The flows to run: FLOW may be a flow id (in FLOWS_DIR) or a path to a flow file or folder."""
    settings = load_settings()
    if flow and (flow.endswith(".json") or Path(flow).is_dir() or "/" in flow):
        path = Path(flow)
        if not path.exists():
            raise UsageError(f"no such flow file or folder: {flow}")
        library = load_library([path])
        if path.is_file():
            library.main = next(fid for fid, f in library.flows.items() if f.file == path)
        return library
    if not settings.flows_dir.is_dir():
        raise UsageError(f"FLOWS_DIR {settings.flows_dir} is not a folder")
    return load_library([settings.flows_dir], flow or settings.main_flow)


def cmd_validate(args: argparse.Namespace) -> int:
    from engine.authoring.files import flow_files
    from engine.authoring.validation import validate_paths

    paths = [Path(p) for p in args.paths] or [load_settings().flows_dir]
    for path in paths:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    files = flow_files(paths)
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise UsageError(f"no flow files (*.json) in {where}: nothing was checked")
    problems = validate_paths(paths)
    errors = sum(1 for p in problems if p.severity == "error")
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem.format())
        warnings = len(problems) - errors
        checked = ", ".join(str(f) for f in files)
        print(
            f"{errors} error(s), {warnings} warning(s) in {len(files)} file(s): {checked}",
            file=sys.stderr,
        )
    return 1 if errors else 0


def cmd_graph(args: argparse.Namespace) -> int:
    from engine.authoring.graph import RendererMissing, to_html, to_mermaid, to_svg

    library = _library(args.flow)
    flow = library.main_flow
    try:
        render = {"svg": to_svg, "html": to_html}.get(args.format, to_mermaid)
        print(render(flow), end="")
    except RendererMissing as missing:
        raise UsageError(str(missing)) from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="clixchat", description="CLIxChat: flow-based chatbot engine for Telegram."
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    validate = commands.add_parser("validate", help="check flow files (schema and semantics)")
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help="flow files or folders (default: FLOWS_DIR)"
    )
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.set_defaults(run=cmd_validate)

    graph = commands.add_parser("graph", help="draw a flow as mermaid or svg")
    graph.add_argument("flow", metavar="FLOW", help="a flow id (in FLOWS_DIR) or a flow file")
    graph.add_argument(
        "--format",
        choices=("mermaid", "svg", "html"),
        default="mermaid",
        help="html: one self-contained page with the diagram (needs Graphviz's dot)",
    )
    graph.set_defaults(run=cmd_graph)

    chat = commands.add_parser("chat", help="talk to a flow in the console")
    chat.add_argument(
        "flow", nargs="?", metavar="FLOW", help="a flow id or file (default: the main flow)"
    )
    chat.add_argument(
        "--script", metavar="FILE", help="feed one input per line and print the transcript"
    )
    chat.add_argument(
        "--language", metavar="CODE", help="the language the simulated user's phone reports"
    )
    chat.add_argument("--fresh", action="store_true", help="start over instead of continuing")
    chat.add_argument("--memory", action="store_true", help="keep nothing: no database")
    chat.set_defaults(run=lambda args: cmd_chat(args, _library(args.flow)))

    from engine.cli import (
        admin,
        backup,
        certs,
        data,
        export,
        flowtest,
        import_clixchat,
        scheduler,
        serve,
        translations,
    )

    flowtest.add_commands(commands)
    data.add_commands(commands)
    export.add_commands(commands)
    backup.add_commands(commands)
    admin.add_commands(commands)
    serve.add_commands(commands)
    scheduler.add_commands(commands)
    certs.add_commands(commands)
    import_clixchat.add_commands(commands)
    translations.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except (UsageError, DataError, ConfigError) as error:
        print(f"clixchat {args.command}: error: {error}", file=sys.stderr)
        return 2
    except FlowError as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        print(f"clixchat {args.command}: error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"clixchat {args.command}: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        explained = _operator_line(error, getattr(args, "database", None))
        if explained is None:
            raise
        print(f"clixchat {args.command}: error: {explained}", file=sys.stderr)
        return 1


def _operator_line(error: BaseException, database_url: str | None) -> str | None:
    """One line for a database, Bot API or settings problem (see engine/cli/errors.py)."""
    from engine.cli.errors import explain

    try:
        settings = load_settings()
    except ValueError:
        return None
    return explain(error, database_url or settings.database_url, settings.telegram_api_url)


if __name__ == "__main__":
    sys.exit(main())

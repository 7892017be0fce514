"""`clixchat translations export|import`: a flow's texts as a PO file for translators, and back.

clixchat translations export FLOW --language mr [--out FILE] [--force]
clixchat translations import FILE [--flow PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.authoring.files import FlowFileError, flow_files, read_flow_document
from engine.authoring.library import FlowError
from engine.authoring.translations import (
    MergeReport,
    TranslationError,
    build_catalog,
    carry_over,
    catalog_bytes,
    catalog_flow,
    merge,
    read_catalog,
)
from engine.authoring.validation import Problem, validate_text
from engine.service.settings import ConfigError, load_settings


def _flow_file(flow: str) -> Path:
    """FLOW as a file: a path to a flow file, or a flow id looked up in FLOWS_DIR."""
    path = Path(flow)
    if flow.endswith(".json") or "/" in flow or path.is_file():
        if not path.is_file():
            raise ConfigError(f"no such flow file: {flow}")
        return path
    folder = load_settings().flows_dir
    for file in flow_files([folder]):
        try:
            if read_flow_document(file).get("flow") == flow:
                return file
        except FlowFileError:
            continue
    raise ConfigError(f"no flow {flow!r} in FLOWS_DIR {folder} (give the flow file's path)")


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {error}") from None


def _flow_document(path: Path, text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranslationError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise TranslationError(f"{path}: not a flow file (not a JSON object)")
    return document


def cmd_export(args: argparse.Namespace) -> int:
    path = _flow_file(args.flow)
    text = _read_text(path)
    catalog, texts = build_catalog(_flow_document(path, text), args.language, path, text)
    carried = None
    if args.previous:
        old = Path(args.previous)
        if not old.is_file():
            raise ConfigError(f"no such PO file: {old}")
        carried = carry_over(catalog, read_catalog(old.read_bytes(), str(old)), str(old))
    data = catalog_bytes(catalog)
    out = args.out or f"{texts.flow}.{args.language}.po"
    if out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        target = Path(out)
        if target.exists() and not args.force:
            raise ConfigError(
                f"{target} exists: its translations would be lost (import it first, or give "
                "--force, or --out another file)"
            )
        target.write_bytes(data)
    done = sum(1 for entry in texts.entries if entry.translation(args.language))
    where = "stdout" if out == "-" else out
    print(
        f"{path}: {len(texts.entries)} texts in {texts.source_language} written to {where} "
        f"({done} already in {args.language}); revision of the texts {texts.revision}",
        file=sys.stderr,
    )
    if carried is not None:
        print(
            f"  carried over from {args.previous}: {len(carried.kept)} translations as they "
            f"were, {len(carried.fuzzy)} marked fuzzy (their source text changed or moved: "
            "check them)",
            file=sys.stderr,
        )
    for context in texts.no_source:
        print(f"  left out (no {texts.source_language} version): {context}", file=sys.stderr)
    return 0


def _errors(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.pointer, p.message) for p in problems if p.severity == "error"}


def cmd_import(args: argparse.Namespace) -> int:
    po = Path(args.file)
    if not po.is_file():
        raise ConfigError(f"no such PO file: {po}")
    catalog = read_catalog(po.read_bytes(), str(po))
    path = Path(args.flow) if args.flow else _flow_file(catalog_flow(catalog))
    if not path.is_file():
        raise ConfigError(f"no such flow file: {path}")
    text = _read_text(path)
    _flow_document(path, text)
    report = merge(text, catalog, str(po), str(path))
    if report.text != text:
        before = _errors(validate_text(text, str(path)))
        after = validate_text(report.text, str(path))
        new = [p for p in after if p.severity == "error" and (p.pointer, p.message) not in before]
        if new:
            raise FlowError(
                f"{path} not changed: the translations would give it {len(new)} error(s)",
                [p.format() for p in new],
            )
        path.write_text(report.text, encoding="utf-8")
    _print_report(path, report)
    return 0


def _print_report(path: Path, report: MergeReport) -> None:
    done = len(report.applied) + len(report.unchanged)
    print(
        f"{path}: {report.language}: {done} translated ({len(report.applied)} set, "
        f"{len(report.unchanged)} already so), {len(report.untranslated)} untranslated, "
        f"{len(report.fuzzy)} fuzzy (not applied)"
    )
    if report.language_added:
        print(f"  added {report.language} to the flow's languages")
    for context in report.untranslated:
        print(f"  untranslated: {context}")
    for context in report.fuzzy:
        print(f"  fuzzy: {context}")
    for context in report.placeholders:
        print(f"  check: {context}: the translation does not keep the same {{variables}}")


def add_commands(commands: Any) -> None:
    translations = commands.add_parser(
        "translations", help="export a flow's texts as a PO file for translators; import it back"
    )
    actions = translations.add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=type(translations)
    )
    export = actions.add_parser("export", help="write a PO file of the flow's texts")
    export.add_argument("flow", metavar="FLOW", help="a flow id (in FLOWS_DIR) or a flow file")
    export.add_argument(
        "--language", required=True, metavar="CODE", help="the language to translate into"
    )
    export.add_argument(
        "--out", metavar="FILE", help="where to write (default: FLOW-ID.CODE.po; - for stdout)"
    )
    export.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    export.add_argument(
        "--from",
        dest="previous",
        metavar="OLD.po",
        help="carry over the translations of an earlier export (changed texts become fuzzy)",
    )
    export.set_defaults(run=cmd_export)
    into = actions.add_parser("import", help="merge a translated PO file into its flow")
    into.add_argument("file", metavar="FILE", help="the PO file")
    into.add_argument(
        "--flow", metavar="PATH", help="the flow file (default: the PO file's flow in FLOWS_DIR)"
    )
    into.set_defaults(run=cmd_import)

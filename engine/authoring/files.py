"""Finding and reading flow files: one place for what "the flows in these paths" means."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class FlowFileError(ValueError):
    """A flow file that cannot be read as a flow document, in one line with its place."""


def flow_files(paths: Sequence[Path]) -> list[Path]:
    """The flow files named by `paths`: a folder stands for its `*.json` entries (sorted), a file
    for itself; each once. An entry named *.json that is not a readable file (a folder, say)
    stays in the list, so that reading it is reported as the flow error it is."""
    files: list[Path] = []
    for path in paths:
        folder = path.is_dir() and path.suffix != ".json"
        files.extend(sorted(path.glob("*.json")) if folder else [path])
    return list(dict.fromkeys(files))


def read_flow_document(path: Path) -> dict[str, Any]:
    """A flow file's JSON object; a missing file, invalid JSON or a non-flow is a FlowFileError."""
    if not path.is_file():
        raise FlowFileError(f"no such flow file: {path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise FlowFileError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise FlowFileError(f"{path}: cannot read: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("nodes"), dict):
        raise FlowFileError(f'{path}: not a flow file (no "nodes" object)')
    return document

"""The flows in a folder: validated, parsed, with the main flow chosen, reloadable on change."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.authoring.files import flow_files, read_flow_document
from engine.core.flow import Flow, flow_from_document


class FlowError(Exception):
    """Flows that cannot run; `problems` holds one formatted line per problem."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class FlowLibrary:
    flows: dict[str, Flow]
    main: str
    files: dict[Path, tuple[float, int]] = field(default_factory=dict)
    paths: list[Path] = field(default_factory=list)

    @property
    def main_flow(self) -> Flow:
        return self.flows[self.main]

    def changed(self) -> bool:
        """Whether a flow file was added, removed or changed since loading."""
        return _stamp(flow_files(self.paths)) != self.files


def _stamp(files: list[Path]) -> dict[Path, tuple[float, int]]:
    stamps = {}
    for file in files:
        try:
            stat = file.stat()
        except FileNotFoundError:
            continue
        stamps[file] = (stat.st_mtime, stat.st_size)
    return stamps


def pick_main(flows: dict[str, Flow], wanted: str | None) -> str:
    if wanted:
        if wanted not in flows:
            raise FlowError(
                f"CLIXCHAT_FLOW names {wanted!r}, but the flows are: {', '.join(sorted(flows))}"
            )
        return wanted
    marked = [fid for fid, flow in flows.items() if flow.main]
    if len(marked) == 1:
        return marked[0]
    if len(marked) > 1:
        raise FlowError(
            f"several flows are marked main: {', '.join(sorted(marked))}; mark only one"
        )
    if len(flows) == 1:
        return next(iter(flows))
    raise FlowError('several flows and none marked "main": true; mark one or set CLIXCHAT_FLOW')


def load_library(paths: list[Path], main: str | None = None) -> FlowLibrary:
    """Validate and load flow files (folders expand to their *.json); FlowError if any is broken."""
    from engine.authoring.validation import validate_paths

    files = flow_files(paths)
    if not files:
        raise FlowError(f"no flow files (*.json) in {', '.join(str(p) for p in paths)}")
    problems = [p for p in validate_paths(files) if p.severity == "error"]
    if problems:
        raise FlowError(
            f"{len(problems)} error(s) in the flows; run `clixchat validate` for details",
            [p.format() for p in problems],
        )
    flows: dict[str, Flow] = {}
    for file in files:
        document = read_flow_document(file)
        flow = flow_from_document(document, file)
        flows[flow.id] = flow
    return FlowLibrary(flows, pick_main(flows, main), _stamp(files), list(paths))

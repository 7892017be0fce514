"""The flows' local media files, as the simulator may serve them for a preview.

Only a file that a loaded flow names in a `say` (or a timeout's `say`) and that lies under
FLOWS_DIR is served; a request is matched against that list, never opened as given, so `..`,
an absolute path or a file no flow names (the flow JSON itself, a database next to it) is
refused.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import quote

from engine.authoring.library import FlowLibrary
from engine.core.flow import Flow, Media

PREFIX = "/simulator/media/"


def flow_media(flow: Flow) -> list[Media]:
    items: list[Media] = []
    for node in flow.nodes.values():
        items.extend(item for item in node.say if isinstance(item, Media))
        if node.timeout is not None:
            items.extend(item for item in node.timeout.say if isinstance(item, Media))
    return items


class MediaFiles:
    """The servable files of one loaded library, by their path relative to FLOWS_DIR."""

    def __init__(self, library: FlowLibrary, root: Path) -> None:
        self.library = library
        self.root = root.resolve()
        self.by_relative: dict[str, Path] = {}
        self.by_source: dict[tuple[str, str], str] = {}
        for flow in library.flows.values():
            for media in flow_media(flow):
                if media.path is None:
                    continue
                path = media.path.resolve()
                if not path.is_relative_to(self.root) or not path.is_file():
                    continue  # a flow naming a file outside FLOWS_DIR gets no preview
                relative = path.relative_to(self.root).as_posix()
                self.by_relative[relative] = path
                self.by_source[(flow.id, media.source)] = relative

    def url_for_path(self, path: str | None) -> str | None:
        """The preview URL of a message's local file (Outbound.path), if it may be served."""
        if not path:
            return None
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root):
            return None
        relative = resolved.relative_to(self.root).as_posix()
        return PREFIX + quote(relative) if relative in self.by_relative else None

    def url_for_source(self, flow: str, source: str | None) -> str | None:
        """The preview URL of a media item as a flow wrote it (a recorded message's `media`);
        the flow named is tried first, then every loaded flow."""
        if not source:
            return None
        relative = self.by_source.get((flow, source))
        if relative is None:
            relative = next(
                (rel for (_, written), rel in self.by_source.items() if written == source), None
            )
        return PREFIX + quote(relative) if relative is not None else None

    def file(self, requested: str) -> Path | None:
        """The file for a preview request, or None: only the listed files, never `..` or an
        absolute path."""
        if not requested or "\\" in requested or "\x00" in requested:
            return None
        pure = PurePosixPath(requested)
        if pure.is_absolute() or any(part in ("..", ".", "") for part in requested.split("/")):
            return None
        path = self.by_relative.get(pure.as_posix())
        if path is None or not path.is_file():
            return None
        return path

"""Flows that follow their files: a changed file is picked up without a restart."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from engine.authoring.library import FlowError, FlowLibrary, load_library
from engine.core.flow import Flow
from engine.core.runtime import Runtime

log = logging.getLogger("clixchat.flows")


class LiveFlows:
    """The current flows and their runtime; `current()` reloads them when a file changed.

    A broken edit is reported in the log and the last good revision keeps running.
    """

    def __init__(
        self, paths: list[Path], main: str | None = None, check_every: float = 1.0
    ) -> None:
        self.paths = list(paths)
        self.wanted_main = main
        self.check_every = check_every
        self.library: FlowLibrary = load_library(self.paths, main)
        self.runtime = Runtime(self.library.flows, self.library.main)
        self.generation = 0
        self._checked = time.monotonic()
        self._broken_stamp: object = None
        self.problems: list[str] = []
        """Why the last change to the flow files was not applied (empty when it was)."""

    @classmethod
    def from_library(cls, library: FlowLibrary, check_every: float = 1.0) -> LiveFlows:
        live = cls.__new__(cls)
        live.paths, live.wanted_main, live.check_every = (
            list(library.paths),
            library.main,
            check_every,
        )
        live.library, live.runtime = library, Runtime(library.flows, library.main)
        live.generation, live._checked, live._broken_stamp = 0, time.monotonic(), None
        live.problems = []
        return live

    def current(self) -> Runtime:
        now = time.monotonic()
        if self.check_every >= 0 and now - self._checked >= self.check_every:
            self._checked = now
            self.reload_if_changed()
        return self.runtime

    def flows(self) -> list[Flow]:
        return list(self.library.flows.values())

    def reload_if_changed(self) -> bool:
        if not self.library.changed():
            self.problems, self._broken_stamp = [], None  # the files are the running ones again
            return False
        try:
            library = load_library(self.paths, self.wanted_main)
        except FlowError as error:
            stamp = tuple(error.problems)
            self.problems = [str(error), *error.problems]
            if stamp != self._broken_stamp:
                self._broken_stamp = stamp
                log.error("flow change not applied: %s; still running the previous revision", error)
                for line in error.problems:
                    log.error("  %s", line)
            return False
        except Exception as error:  # never let a flow folder stop the bot: keep the last good
            self.problems = [f"the flows could not be read ({type(error).__name__})"]
            log.error(
                "flow change not applied (%s); still running the previous revision",
                type(error).__name__,
            )
            return False
        self._broken_stamp = None
        self.problems = []
        self.library = library
        self.runtime = Runtime(library.flows, library.main)
        self.generation += 1
        log.info(
            "flows reloaded: %s",
            ", ".join(f"{f.id}@{f.revision[:12]}" for f in library.flows.values()),
        )
        return True

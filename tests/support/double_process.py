"""The Bot API double in a process of its own, for measuring send rates.

In a thread of the test process, the double shares the interpreter lock with whatever the test
does (posting hundreds of updates), so its arrival times bunch up by tens of milliseconds; in its
own process they are what a real server would see. Run as::

    python -m tests.support.double_process --token T --ready FILE --out CALLS.jsonl [--latency S]

It writes its URL to FILE once listening, and every call (method, chat_id, text, status, at) to
CALLS.jsonl when it gets SIGTERM. :class:`DoubleProcess` does that from a test or a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from tests.support.botapi_double import BotApiDouble


@dataclass(frozen=True)
class SentCall:
    method: str
    chat_id: int | None
    text: str
    status: int
    at: float


class DoubleProcess:
    """Start the double in a child process; :meth:`stop` returns what it received."""

    def __init__(self, folder: Path, token: str, latency: float = 0.0) -> None:
        self.folder, self.token, self.latency = folder, token, latency
        self.url = ""
        self.calls: list[SentCall] = []
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        ready, out = self.folder / "double.url", self.folder / "double-calls.jsonl"
        ready.unlink(missing_ok=True)
        command = [sys.executable, "-m", "tests.support.double_process", "--token", self.token]
        command += ["--ready", str(ready), "--out", str(out), "--latency", str(self.latency)]
        self._process = subprocess.Popen(command, cwd=Path(__file__).parents[2])
        deadline = time.monotonic() + 30
        while not ready.exists() or not ready.read_text():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Bot API double process did not start")
            time.sleep(0.05)
        self.url = ready.read_text().strip()
        return self

    def stop(self) -> list[SentCall]:
        process, self._process = self._process, None
        if process is None:
            return self.calls
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        out = self.folder / "double-calls.jsonl"
        if out.exists():
            self.calls = [SentCall(**json.loads(line)) for line in out.read_text().splitlines()]
        return self.calls

    def sent(self, chat_id: int | None = None) -> list[SentCall]:
        """Successful message sends (to one chat), in arrival order."""
        return [
            c
            for c in self.calls
            if c.status == 200
            and c.method.startswith("send")
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


async def _serve(token: str, ready: Path, out: Path, latency: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with BotApiDouble(token=token, strict=False) as api:
        if latency:
            api.set_latency(latency)
        partial = ready.with_suffix(".partial")
        partial.write_text(api.url)
        os.replace(partial, ready)
        await stop.wait()
        lines: list[dict[str, Any]] = [
            {
                "method": call.method,
                "chat_id": call.chat_id if isinstance(call.chat_id, int) else None,
                "text": call.text or "",
                "status": call.status,
                "at": call.at,
            }
            for call in api.calls
        ]
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--token", required=True)
    parser.add_argument("--ready", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(_serve(args.token, args.ready, args.out, args.latency))


if __name__ == "__main__":
    main()

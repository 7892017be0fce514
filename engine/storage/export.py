"""The research export: participants, interactions, answers (long and wide) as CSV.

UTF-8 with a BOM, ISO 8601 UTC times, pseudonyms only (no chat id, name or username is ever
stored, so none can be written). Test participants (channels `console` and `simulator`, and
`web` of older versions) are left out unless asked for. Rows are read in keyset pages ordered by
(participant_id, id), so memory stays flat however many rows there are; the wide tables are
built by a second pass over the long answers file already written.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise.connection import connections

from engine.storage.sql import Dialect, utc

TEST_CHANNELS = ("console", "simulator", "web")
"""`web` is the simulator's channel before it was named `simulator`."""
PAGE = 5000
PARTICIPANT_FIELDS = [
    "pseudonym", "channel", "language", "flow", "revision", "node",
    "ended", "active", "created_at", "last_seen",
]  # fmt: skip
INTERACTION_FIELDS = [
    "pseudonym", "flow", "revision", "node_before", "node_after", "kind", "input_kind",
    "input_text", "input_media", "output_text", "output_media", "buttons", "saved",
    "received_at", "responded_at",
]  # fmt: skip
ANSWER_FIELDS = [
    "pseudonym", "flow", "revision", "node", "variable", "value", "language", "attempts",
    "answered_at",
]  # fmt: skip


@dataclass(frozen=True)
class ExportFilter:
    flow: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_test: bool = False


@dataclass
class ExportResult:
    participants: int = 0
    interactions: int = 0
    answers: int = 0
    files: list[Path] = field(default_factory=list)
    variables: dict[str, list[str]] = field(default_factory=dict)
    """flow -> variables seen in the answers, in order of first appearance."""


Progress = Callable[[str, int], None]
Fetch = Callable[[str, list[Any]], Awaitable[list[dict[str, Any]]]]
"""Runs one statement (written with `?`, already in the database's placeholders) -> rows."""


def tortoise_fetch() -> tuple[Fetch, bool]:
    """Rows through the open Tortoise connection `default`, and whether it is PostgreSQL."""
    db = connections.get("default")

    async def fetch(query: str, values: list[Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await db.execute_query_dict(query, values)
        return rows

    return fetch, str(db.capabilities.dialect) == "postgres"


def iso(value: Any) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, or empty."""
    if value is None or value == "":
        return ""
    moment = utc(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def cell(value: Any) -> str:
    """A value as one CSV cell: JSON for objects and lists, true/false, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _writer(path: Path, header: list[str]) -> tuple[Any, Any]:
    handle = path.open("w", encoding="utf-8-sig", newline="")
    writer = csv.writer(handle)
    writer.writerow(header)
    return handle, writer


class Exporter:
    """Writes the CSV files of one export into `out` from the Tortoise connection `default`."""

    def __init__(
        self,
        out: Path,
        filters: ExportFilter,
        progress: Progress | None = None,
        source: tuple[Fetch, bool] | None = None,
    ):
        self.out = out
        self.filters = filters
        self.progress = progress or (lambda _stage, _n: None)
        self.fetch, postgres = source or tortoise_fetch()
        self.dialect = Dialect(postgres=postgres)

    async def _rows(self, query: str, values: list[Any]) -> list[dict[str, Any]]:
        """Keyset positions are written into the statement as integers: a prepared statement's
        generic plan (PostgreSQL switches to it after a few runs) cannot see where the page
        starts and scans from the beginning, so the pages would grow slower and slower."""
        return await self.fetch(self.dialect.sql(query), values)

    def _channels(self) -> tuple[str, list[Any]]:
        if self.filters.include_test:
            return "1 = 1", []
        marks = ", ".join("?" for _ in TEST_CHANNELS)
        return f"p.channel NOT IN ({marks})", list(TEST_CHANNELS)

    def _interaction_where(self) -> tuple[str, list[Any]]:
        where, values = self._channels()
        parts = [where]
        if self.filters.flow:
            parts.append("i.flow = ?")
            values.append(self.filters.flow)
        if self.filters.since:
            parts.append("i.received_at >= ?")
            values.append(self.dialect.when(self.filters.since))
        if self.filters.until:
            parts.append("i.received_at < ?")
            values.append(self.dialect.when(self.filters.until))
        return " AND ".join(parts), values

    async def run(self) -> ExportResult:
        self.out.mkdir(parents=True, exist_ok=True)
        result = ExportResult()
        await self._participants(result)
        await self._interactions(result)
        self._wide(result)
        return result

    async def _participants(self, result: ExportResult) -> None:
        path = self.out / "participants.csv"
        handle, writer = _writer(path, PARTICIPANT_FIELDS)
        where, base = self._channels()
        filtered = self.filters.flow or self.filters.since or self.filters.until
        if filtered:
            inner, inner_values = self._interaction_where()
            inner = inner.replace("p.channel", "q.channel")
            where += (
                " AND EXISTS (SELECT 1 FROM interaction i JOIN participant q"
                f" ON q.id = i.participant_id WHERE i.participant_id = p.id AND {inner})"
            )
            base += inner_values
        last = 0
        with handle:
            while True:
                rows = await self._rows(
                    "SELECT p.id, p.pseudonym, p.channel, p.language, p.flow, p.revision, p.node,"
                    " p.ended, p.active, p.created_at, p.last_seen FROM participant p"
                    f" WHERE {where} AND p.id > {int(last)} ORDER BY p.id LIMIT {PAGE}",
                    base,
                )
                for row in rows:
                    writer.writerow(
                        [
                            row["pseudonym"],
                            row["channel"],
                            row["language"] or "",
                            row["flow"] or "",
                            row["revision"] or "",
                            row["node"] or "",
                            cell(bool(row["ended"])),
                            cell(bool(row["active"])),
                            iso(row["created_at"]),
                            iso(row["last_seen"]),
                        ]
                    )
                result.participants += len(rows)
                self.progress("participants", len(rows))
                if len(rows) < PAGE:
                    break
                last = int(rows[-1]["id"])
        result.files.append(path)

    async def _interactions(self, result: ExportResult) -> None:
        path = self.out / "interactions.csv"
        answers_path = self.out / "answers.csv"
        handle, writer = _writer(path, INTERACTION_FIELDS)
        a_handle, a_writer = _writer(answers_path, ANSWER_FIELDS)
        where, base = self._interaction_where()
        state = _AnswerState()

        def page(after: tuple[int, int]) -> Awaitable[list[dict[str, Any]]]:
            return self._rows(
                "SELECT i.id, i.participant_id, p.pseudonym, p.language AS p_language,"
                " i.flow, i.revision, i.node_before, i.node_after, i.kind, i.input_kind,"
                " i.input_text, i.input_media, i.output, i.buttons, i.saved,"
                " i.received_at, i.responded_at FROM interaction i JOIN participant p"
                f" ON p.id = i.participant_id WHERE {where}"
                f" AND (i.participant_id, i.id) > ({int(after[0])}, {int(after[1])})"
                f" ORDER BY i.participant_id, i.id LIMIT {PAGE}",
                base,
            )

        upcoming: asyncio.Future[list[dict[str, Any]]] = asyncio.ensure_future(page((0, 0)))
        with handle, a_handle:
            while True:
                rows = await upcoming
                if len(rows) == PAGE:  # the database reads the next page while this one is written
                    last = rows[-1]
                    upcoming = asyncio.ensure_future(
                        page((int(last["participant_id"]), int(last["id"])))
                    )
                for row in rows:
                    output = _json(row["output"]) or []
                    saved = _json(row["saved"]) or {}
                    received = iso(row["received_at"])
                    writer.writerow(
                        [
                            row["pseudonym"],
                            row["flow"],
                            row["revision"],
                            row["node_before"] or "",
                            row["node_after"] or "",
                            row["kind"],
                            row["input_kind"] or "",
                            row["input_text"] or "",
                            row["input_media"] or "",
                            "\n".join(m.get("text") or "" for m in output),
                            " ".join(m.get("media_kind") or "" for m in output).strip(),
                            " | ".join(_json(row["buttons"]) or []),
                            cell(saved) if saved else "",
                            received,
                            iso(row["responded_at"]),
                        ]
                    )
                    for answer in state.feed(row, saved):
                        _write_answer(a_writer, answer, result)
                result.interactions += len(rows)
                self.progress("interactions", len(rows))
                if len(rows) < PAGE:
                    break
            for answer in state.flush():
                _write_answer(a_writer, answer, result)
        result.files += [path, answers_path]

    def _wide(self, result: ExportResult) -> None:
        """answers-<flow>.csv: one row per participant, one column per variable (the latest
        answer), read back from answers.csv, which is grouped by participant."""
        flows = sorted(result.variables)
        outputs = {}
        for flow in flows:
            path = self.out / f"answers-{flow}.csv"
            outputs[flow] = (*_writer(path, ["pseudonym", *result.variables[flow]]), path)
        current: str | None = None
        values: dict[str, dict[str, str]] = {}

        def emit() -> None:
            for flow, answers in values.items():
                _handle, writer, _path = outputs[flow]
                row = [current] + [answers.get(v, "") for v in result.variables[flow]]
                writer.writerow(row)

        with (self.out / "answers.csv").open(encoding="utf-8-sig", newline="") as source:
            for row in csv.DictReader(source):
                if row["pseudonym"] != current:
                    emit()
                    current, values = row["pseudonym"], {}
                values.setdefault(row["flow"], {})[row["variable"]] = row["value"]
            emit()
        for handle, _unused, path in outputs.values():
            handle.close()
            result.files.append(path)


def _write_answer(writer: Any, answer: list[Any], result: ExportResult) -> None:
    writer.writerow(answer)
    result.answers += 1
    variables = result.variables.setdefault(answer[1], [])
    if answer[4] not in variables:
        variables.append(answer[4])


class _AnswerState:
    """Answers derived from one participant's interactions in order: an `answer` interaction's
    `saved` holds variable -> value; `retry` interactions at the same node before it count as
    attempts; the language is the last one set with /language before it, else the
    participant's language (when they never changed it), else unknown."""

    def __init__(self) -> None:
        self.participant: Any = None
        self.retry_node: str | None = None
        self.retries = 0
        self.language: str | None = None
        self.pending: list[list[Any]] = []
        self.changed_later = False
        self.p_language: str | None = None
        self.revisions: dict[str, str] = {}

    def flush(self) -> list[list[Any]]:
        out = self.pending
        for answer in out:
            if answer[6] is None:
                answer[6] = "" if self.changed_later else (self.p_language or "")
        self.pending = []
        return out

    def feed(self, row: Mapping[str, Any], saved: Mapping[str, Any]) -> list[list[Any]]:
        out: list[list[Any]] = []
        if row["participant_id"] != self.participant:
            out = self.flush()
            self.participant = row["participant_id"]
            self.retry_node, self.retries, self.language = None, 0, None
            self.changed_later, self.p_language, self.revisions = False, row["p_language"], {}
        kind, before = row["kind"], row["node_before"]
        self.revisions[row["flow"]] = row["revision"]
        if kind == "language_set":
            self.language = str(saved.get("language") or "") or None
            for answer in self.pending:  # answered before a change: the language is unknown
                answer[6] = ""
            out, self.pending = out + self.pending, []
            self.changed_later = True
            return out
        if kind == "retry":
            if before == self.retry_node:
                self.retries += 1
            else:
                self.retry_node, self.retries = before, 1
            return out
        if kind == "answer" and before:
            flow, _, node = str(before).partition(":")
            attempts = (self.retries if before == self.retry_node else 0) + 1
            revision = row["revision"] if row["flow"] == flow else self.revisions.get(flow, "")
            for variable, value in saved.items():
                answer = [
                    row["pseudonym"], flow, revision, node, variable, cell(value),
                    self.language if self.language is not None else None,
                    attempts, iso(row["received_at"]),
                ]  # fmt: skip
                if self.language is not None:
                    out.append(answer)
                else:
                    self.pending.append(answer)
        if row["node_after"] != self.retry_node:
            self.retry_node, self.retries = None, 0
        return out


def parse_date(text: str, end: bool = False) -> datetime:
    """A DATE (YYYY-MM-DD, UTC; `end` takes the day's end) or an ISO 8601 date-time."""
    from datetime import timedelta

    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD or ISO 8601): {text!r}") from None


async def flow_sources(fetch: Fetch, flow: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every recorded revision's source per flow, oldest first (so the latest wins)."""
    rows = await fetch("SELECT flow, source FROM flow_revision ORDER BY id", [])
    sources: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if flow is None or row["flow"] == flow:
            sources.setdefault(str(row["flow"]), []).append(_json(row["source"]))
    return sources


async def export(
    out: Path,
    filters: ExportFilter,
    progress: Progress | None = None,
    source: tuple[Fetch, bool] | None = None,
) -> ExportResult:
    """Write the whole export into `out`, read through `source` (default: the open Tortoise
    connection; a backup passes its snapshot's connection)."""
    from engine.storage.export_package import write_package

    source = source or tortoise_fetch()
    result = await Exporter(out, filters, progress, source).run()
    sources = await flow_sources(source[0], filters.flow)
    result.files.append(write_package(out, result.variables, sources))
    return result

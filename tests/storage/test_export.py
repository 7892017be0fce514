"""The research export: known long and wide answers for scripted participants, test
participants left out, pseudonyms only, and a datapackage.json that frictionless validates
(the descriptor and every row). On SQLite, and on PostgreSQL when CLIXCHAT_TEST_POSTGRES is set."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.core.events import Inbound
from engine.storage.export import ExportFilter, export
from engine.storage.store import Store
from tests.support.db import PRIVACY, Database

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SCRIPTS: dict[tuple[str, int | str], list[Inbound]] = {
    ("telegram", 111111111): [
        Inbound.message("/start", "en"),
        Inbound.message("Profile"),
        Inbound.message("many"),  # a retry
        Inbound.message("a lot"),  # another
        Inbound.message("12"),
        Inbound.message("Feedback"),
        Inbound.message("Good, थैंक्स"),
    ],
    ("telegram", 222222222): [
        Inbound.message("/start", "hi"),
        Inbound.message("Profile"),
        Inbound.message("1"),
        Inbound.message("Profile"),
        Inbound.message("3"),  # answered again: wide shows the latest
    ],
    ("telegram", 333333333): [Inbound.message("/start", "en"), Inbound.message("Modules")],
    ("console", 1): [Inbound.message("/start"), Inbound.message("Profile"), Inbound.message("7")],
    ("web", "sim-1"): [
        Inbound.message("/start"),
        Inbound.message("Feedback"),
        Inbound.message("x"),
    ],
}


async def _script(store: Store) -> None:
    update = 9000
    for (channel, user), events in SCRIPTS.items():
        for step, event in enumerate(events):
            update += 1
            await store.handle(
                channel, event, user_id=user, chat_id=user if isinstance(user, int) else None,
                update_id=update if channel == "telegram" else None,
                received_at=T0 + timedelta(minutes=step),
            )  # fmt: skip


def _read(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no BOM"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def who(user: int | str, channel: str = "telegram") -> str:
    return PRIVACY.pseudonym(channel, user)


async def test_export_gives_known_answers_and_leaves_out_test_participants(
    store: Store, database: Database, tmp_path: Path
) -> None:
    await _script(store)
    await store.close()
    out = tmp_path / "export"
    result = await export(out, ExportFilter())

    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "answers-helpdesk.csv", "answers.csv", "datapackage.json", "interactions.csv",
        "participants.csv",
    ]  # fmt: skip
    participants = _read(out / "participants.csv")
    assert {p["pseudonym"] for p in participants} == {
        who(111111111),
        who(222222222),
        who(333333333),
    }
    assert result.participants == 3

    answers = [
        (a["pseudonym"], a["flow"], a["node"], a["variable"], a["value"], a["language"],
         a["attempts"])
        for a in _read(out / "answers.csv")
    ]  # fmt: skip
    assert answers == [
        (who(111111111), "helpdesk", "years", "years", "12", "en", "3"),
        (who(111111111), "helpdesk", "feedback", "feedback", "Good, थैंक्स", "en", "1"),
        (who(222222222), "helpdesk", "years", "years", "1", "hi", "1"),
        (who(222222222), "helpdesk", "years", "years", "3", "hi", "1"),
    ]
    answered = _read(out / "answers.csv")[0]["answered_at"]
    assert answered == "2026-03-02T09:34:00.000Z"

    wide = _read(out / "answers-helpdesk.csv")
    assert wide == [
        {"pseudonym": who(111111111), "years": "12", "feedback": "Good, थैंक्स"},
        {"pseudonym": who(222222222), "years": "3", "feedback": ""},
    ]

    interactions = _read(out / "interactions.csv")
    assert len(interactions) == 7 + 5 + 2
    first = interactions[0]
    assert first["pseudonym"] == who(111111111)
    assert first["kind"] == "start" and first["node_after"] == "helpdesk:start"
    assert "Hello teacher" in first["output_text"]
    assert first["received_at"] == "2026-03-02T09:30:00.000Z"

    everything = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    for raw in ("111111111", "222222222", "333333333", "sim-1"):
        assert raw not in everything


async def test_include_test_and_flow_and_dates(
    store: Store, database: Database, tmp_path: Path
) -> None:
    await _script(store)
    await store.close()
    result = await export(tmp_path / "all", ExportFilter(include_test=True))
    assert result.participants == 5
    assert who(1, "console") in (tmp_path / "all" / "answers.csv").read_text(encoding="utf-8-sig")
    late = await export(tmp_path / "late", ExportFilter(since=T0 + timedelta(minutes=5)))
    assert late.interactions == 2  # only the sixth and seventh steps of the first participant
    assert late.participants == 1
    none = await export(tmp_path / "none", ExportFilter(flow="no-such-flow"))
    assert (none.participants, none.interactions, none.answers) == (0, 0, 0)


async def test_datapackage_describes_every_file_and_variable_and_is_valid(
    store: Store, database: Database, tmp_path: Path
) -> None:
    frictionless = pytest.importorskip("frictionless")
    await _script(store)
    await store.close()
    out = tmp_path / "export"
    await export(out, ExportFilter())
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in descriptor["resources"]}
    assert paths == {p.name for p in out.iterdir() if p.suffix == ".csv"}

    wide = next(r for r in descriptor["resources"] if r["path"] == "answers-helpdesk.csv")
    fields = {f["name"]: f for f in wide["schema"]["fields"]}
    assert fields["years"]["type"] == "number"
    assert fields["years"]["clixchat:askType"] == "number"
    assert fields["years"]["constraints"] == {"minimum": 0, "maximum": 60}
    assert "How many years have you been teaching?" in fields["years"]["clixchat:question"]
    assert fields["feedback"]["constraints"] == {"maxLength": 200}
    assert "Tell us what you think." in fields["feedback"]["description"]

    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

"""The durable store: privacy of what is stored, exactly-once updates, crashes, flow edits,
timeouts and 64-bit ids. Every test runs on SQLite, and on PostgreSQL when
CLIXCHAT_TEST_POSTGRES is set."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from engine.authoring.live import LiveFlows
from engine.core.events import Inbound
from engine.core.runtime import Runtime
from engine.storage.db import tortoise_config
from engine.storage.models import FlowRevision, Interaction, Participant, ProcessedUpdate
from engine.storage.sql import Dialect
from engine.storage.store import Store
from tests.support.db import Database

FIXTURES = Path(__file__).parents[1] / "fixtures"
from tests.support.db import PRIVACY  # noqa: E402

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


async def participant(user_id: int | str, channel: str = "telegram") -> Participant:
    return await Participant.get(pseudonym=PRIVACY.pseudonym(channel, user_id))


async def kinds(user_id: int | str, channel: str = "telegram") -> list[str]:
    who = await participant(user_id, channel)
    return [i.kind for i in await Interaction.filter(participant_id=who.id).order_by("id")]


async def test_a_dump_of_the_database_holds_no_telegram_id_and_no_name(
    store: Store, database: Database
) -> None:
    user = chat = 987654321
    script = [
        Inbound.message("/start", "en"),
        Inbound.message("Feedback"),
        Inbound.message("The maths module helped my class"),
        Inbound.message("Profile"),
        # What a "share my number" button sends; an adapter should never pass these on,
        # and the store keeps only the kind even when one does.
        Inbound.attachment(
            "contact", {"phone_number": "+91 98765 43210", "first_name": "Sunita", "user_id": user}
        ),
        Inbound.message("12"),
    ]
    for number, event in enumerate(script, start=1):
        delivery = await store.handle(
            "telegram", event, user_id=user, chat_id=chat, update_id=5000 + number
        )
        assert delivery.turn is not None and delivery.chat_id == chat

    dump = await database.dump()
    assert "987654321" not in dump
    for secret in ("98765 43210", "Sunita", "phone"):
        assert secret not in dump
    # the dump is the real thing: research content and the pseudonym are there
    assert "The maths module helped my class" in dump
    assert PRIVACY.pseudonym("telegram", user) in dump
    assert await kinds(user) == ["start", "choice", "answer", "choice", "retry", "answer"]
    contact = await Interaction.get(input_kind="media")
    assert contact.input_media == "contact"
    assert contact.input_text is None
    # the chat id survives, encrypted: a timer fired later still knows where to write
    who = await participant(user)
    assert who.chat_cipher and PRIVACY.open(who.chat_cipher) == chat
    assert who.variables == {"feedback": "The maths module helped my class", "years": 12}


async def test_the_same_update_twice_makes_one_interaction_and_one_reply(
    store: Store, database: Database
) -> None:
    first = await store.handle("telegram", Inbound.message("/start"), user_id=11, update_id=77)
    again = await store.handle("telegram", Inbound.message("/start"), user_id=11, update_id=77)
    assert first.turn is not None and first.turn.messages and not first.duplicate
    assert again.duplicate and again.turn is None
    assert await database.count("interaction") == 1
    assert await database.count("processed_update") == 1
    assert (await participant(11)).version == 1


async def test_64_bit_update_and_chat_ids_round_trip(store: Store) -> None:
    big_update, group_chat, big_user = 2**40, -1001234567890, 2**40 + 7
    await store.handle(
        "telegram",
        Inbound.message("/start"),
        user_id=big_user,
        chat_id=group_chat,
        update_id=big_update,
    )
    await store.handle("telegram", Inbound.message("Profile"), user_id=big_user, update_id=2**41)
    assert await ProcessedUpdate.filter(update_id=big_update).exists()
    assert (await Interaction.get(update_id=big_update)).kind == "start"
    who = await participant(big_user)
    # a timer knows only the pseudonym; the reply still goes to the right (negative) chat
    fired = await store.handle(
        "telegram",
        Inbound.timer("helpdesk:years"),
        pseudonym=who.pseudonym,
        received_at=datetime.now(UTC) + timedelta(days=2),
    )
    assert fired.chat_id == group_chat
    assert fired.turn is not None and fired.turn.kind == "timeout"


async def test_a_nul_character_cannot_make_an_update_fail_forever(store: Store) -> None:
    for text in ("/start", "Feedback", "bad\x00byte"):
        await store.handle("telegram", Inbound.message(text), user_id=62)
    assert (await participant(62)).variables == {"feedback": "badbyte"}


async def test_the_stored_chat_follows_a_changed_chat_id(store: Store) -> None:
    await store.handle("telegram", Inbound.message("/start"), user_id=61, chat_id=-100555)
    sealed = (await participant(61)).chat_cipher
    await store.handle("telegram", Inbound.message("1"), user_id=61, chat_id=-100555)
    assert (await participant(61)).chat_cipher == sealed  # same chat: not re-encrypted
    await store.handle("telegram", Inbound.message("Back"), user_id=61, chat_id=-100777)
    who = await participant(61)
    assert who.chat_cipher and PRIVACY.open(who.chat_cipher) == -100777
    later = await store.handle("telegram", Inbound.message("1"), pseudonym=who.pseudonym)
    assert later.chat_id == -100777


class Crash(RuntimeError):
    pass


async def test_a_crash_mid_event_keeps_the_previous_state_and_the_update_can_come_again(
    store: Store, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.handle("telegram", Inbound.message("/start"), user_id=21, update_id=1)
    before = await participant(21)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise Crash("disk full")

    # the participant row has been updated inside the transaction when this runs
    monkeypatch.setattr(Dialect, "insert_interactions", crash)
    with pytest.raises(Crash):
        await store.handle("telegram", Inbound.message("Profile"), user_id=21, update_id=2)
    monkeypatch.undo()

    after = await participant(21)
    assert (after.node, after.version, after.path) == (before.node, before.version, before.path)
    assert await database.count("interaction") == 1
    assert not await ProcessedUpdate.filter(update_id=2).exists()

    again = await store.handle("telegram", Inbound.message("Profile"), user_id=21, update_id=2)
    assert not again.duplicate and again.turn is not None and again.turn.kind == "choice"
    assert (await participant(21)).node == "years"
    assert await kinds(21) == ["start", "choice"]


async def test_a_crash_in_the_engine_saves_nothing(
    store: Store, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.handle("telegram", Inbound.message("/start"), user_id=22, update_id=10)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise Crash("engine bug")

    monkeypatch.setattr(Runtime, "handle", broken)
    with pytest.raises(Crash):
        await store.handle("telegram", Inbound.message("Feedback"), user_id=22, update_id=11)
    with pytest.raises(Crash):  # a newcomer's first event: not even the participant is kept
        await store.handle("telegram", Inbound.message("/start"), user_id=23, update_id=12)
    monkeypatch.undo()
    assert await database.count("participant") == 1
    assert await database.count("processed_update") == 1
    assert (await participant(22)).node == "start"


async def test_timeouts_are_due_for_active_waiting_participants_only(store: Store) -> None:
    await store.handle("telegram", Inbound.message("/start"), user_id=31, received_at=T0)
    await store.handle("telegram", Inbound.message("Profile"), user_id=31, received_at=T0)
    await store.handle("telegram", Inbound.message("/start"), user_id=32, received_at=T0)
    who = (await participant(31)).pseudonym

    assert await store.due_timeouts(T0 + timedelta(hours=23)) == []
    assert await store.due_timeouts(T0 + timedelta(hours=25)) == [(who, "helpdesk:years")]

    await store.set_active("telegram", 31, False)  # the teacher blocked the bot
    assert await store.due_timeouts(T0 + timedelta(hours=25)) == []
    await store.set_active("telegram", 31, True)
    assert await store.due_timeouts(T0 + timedelta(hours=25)) == [(who, "helpdesk:years")]

    # any activity at the node restarts its "24h of silence", a failed answer too
    retry = await store.handle(
        "telegram", Inbound.message("many"), user_id=31, received_at=T0 + timedelta(hours=10)
    )
    assert retry.turn is not None and retry.turn.kind == "retry"
    assert await store.due_timeouts(T0 + timedelta(hours=25)) == []
    assert await store.due_timeouts(T0 + timedelta(hours=35)) == [(who, "helpdesk:years")]

    fired = await store.handle(
        "telegram",
        Inbound.timer("helpdesk:years"),
        pseudonym=who,
        received_at=T0 + timedelta(hours=35),
    )
    assert fired.turn is not None and fired.turn.after == "helpdesk:nudge"
    assert await store.due_timeouts(T0 + timedelta(days=30)) == []


async def test_a_timeout_removed_by_a_flow_edit_stops_being_due(
    database: Database, tmp_path: Path
) -> None:
    wait: dict[str, Any] = {"say": "Still there?", "choices": [{"label": "Yes", "next": "start"}]}
    document: dict[str, Any] = {
        "flow": "t",
        "languages": ["en"],
        "start": "start",
        "nodes": {
            "start": {"say": "Hello", "choices": [{"label": "Wait", "next": "w"}]},
            "w": {**wait, "timeout": {"after": "1h", "next": "start"}},
        },
    }
    folder = tmp_path / "flows"
    folder.mkdir()
    _write(folder / "t.json", document, 1_700_000_000)
    store = Store(LiveFlows([folder], check_every=0), PRIVACY, database_url=database.url)
    try:
        for text in ("/start", "Wait"):
            await store.handle("telegram", Inbound.message(text), user_id=34, received_at=T0)
        due = await store.due_timeouts(T0 + timedelta(hours=2))
        assert [place for _, place in due] == ["t:w"]

        document["nodes"]["w"] = wait
        _write(folder / "t.json", document, 1_700_000_100)
        (who, place), *_ = due
        fired = await store.handle(
            "telegram", Inbound.timer(place), pseudonym=who, received_at=T0 + timedelta(hours=2)
        )
        assert fired.turn is not None and fired.turn.kind == "timeout_stale"
        assert await store.due_timeouts(T0 + timedelta(days=1)) == []
    finally:
        await store.close()


async def test_a_message_after_blocking_means_the_participant_is_back(store: Store) -> None:
    await store.handle("telegram", Inbound.message("/start"), user_id=33, received_at=T0)
    await store.handle("telegram", Inbound.message("Profile"), user_id=33, received_at=T0)
    await store.set_active("telegram", 33, False)
    assert not (await participant(33)).active
    await store.handle(
        "telegram", Inbound.message("x"), user_id=33, received_at=T0 + timedelta(hours=1)
    )
    assert (await participant(33)).active


async def test_reset_starts_over_and_keeps_the_history(store: Store) -> None:
    for text in ("/start", "Feedback", "Very useful"):
        await store.handle("console", Inbound.message(text), user_id="local")
    await store.reset("console", "local")
    fresh = await participant("local", "console")
    assert (fresh.node, fresh.variables, fresh.path) == (None, {}, [])
    delivery = await store.handle("console", Inbound.message("hello"), user_id="local")
    assert delivery.turn is not None and delivery.turn.kind == "start"
    assert await kinds("local", "console") == ["start", "choice", "answer", "reset", "start"]


# ----------------------------------------------------------------- changing a flow under people
def _flow(with_b: bool, moved: dict[str, str] | None = None) -> dict[str, Any]:
    nodes: dict[str, Any] = {
        "start": {"say": "Hello", "choices": [{"label": "A", "next": "a"}]},
        "a": {"say": "At a", "choices": [{"label": "Go", "next": "b" if with_b else "c"}]},
        "c": {"say": "At c", "choices": [{"label": "Home", "next": "start"}]},
    }
    if with_b:
        nodes["b"] = {"say": "At b", "ask": {"save_as": "note", "type": "text"}, "next": "c"}
    document: dict[str, Any] = {"flow": "t", "languages": ["en"], "start": "start", "nodes": nodes}
    if moved:
        document["moved"] = moved
    return document


def _write(path: Path, document: dict[str, Any], stamp: int) -> None:
    path.write_text(json.dumps(document), encoding="utf-8")
    os.utime(path, (stamp, stamp))  # a new mtime even within the filesystem's resolution


@pytest.mark.parametrize(
    ("moved", "lands", "reason"), [({"b": "c"}, "c", "moved"), (None, "a", "path")]
)
async def test_a_deleted_node_moves_its_waiting_participant_as_the_design_says(
    database: Database,
    tmp_path: Path,
    moved: dict[str, str] | None,
    lands: str,
    reason: str,
) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    _write(folder / "t.json", _flow(with_b=True), 1_700_000_000)
    flows = LiveFlows([folder], check_every=0)
    old = flows.runtime.compiled["t"].flow.revision
    store = Store(flows, PRIVACY, database_url=database.url)
    try:
        for text in ("/start", "A", "Go"):
            await store.handle("telegram", Inbound.message(text), user_id=41)
        assert (await participant(41)).node == "b"

        _write(folder / "t.json", _flow(with_b=False, moved=moved), 1_700_000_100)
        delivery = await store.handle("telegram", Inbound.message("hello?"), user_id=41)
        new = flows.runtime.compiled["t"].flow.revision
        assert new != old

        assert [(m.from_node, m.to_node, m.reason) for m in delivery.moves] == [
            ("b", lands, reason)
        ]
        who = await participant(41)
        assert (who.node, who.revision) == (lands, new)
        migrated = await Interaction.get(participant_id=who.id, kind="migrated")
        assert migrated.saved == {
            "from": old,
            "to": new,
            "from_node": "b",
            "to_node": lands,
            "reason": reason,
        }
        assert (migrated.node_before, migrated.node_after) == ("t:b", f"t:{lands}")
        # "hello?" was meant for the removed node: told the menu changed, not applied to the new one
        assert await kinds(41) == ["start", "choice", "choice", "migrated", "menu_changed"]
        # both revisions are on record, with their source
        recorded = {r.sha256: r.source for r in await FlowRevision.filter(flow="t")}
        assert set(recorded) == {old, new} and "b" not in recorded[new]["nodes"]
        # the next move happens only on the next revision
        again = await store.handle("telegram", Inbound.message("1"), user_id=41)
        assert again.moves == []
    finally:
        await store.close()


async def test_a_participant_at_a_surviving_node_stays_there(
    database: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    _write(folder / "t.json", _flow(with_b=True), 1_700_000_000)
    flows = LiveFlows([folder], check_every=0)
    store = Store(flows, PRIVACY, database_url=database.url)
    try:
        for text in ("/start", "A"):
            await store.handle("telegram", Inbound.message(text), user_id=42)
        _write(folder / "t.json", _flow(with_b=False), 1_700_000_100)
        delivery = await store.handle("telegram", Inbound.message("Go"), user_id=42)
        assert [(m.from_node, m.to_node, m.reason) for m in delivery.moves] == [("a", "a", "kept")]
        assert delivery.turn is not None and delivery.turn.after == "t:c"
        assert await store.record_revisions() == 0  # recorded when the change was picked up
    finally:
        await store.close()


async def test_a_removed_flow_sends_its_participants_home_with_a_record(
    database: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    main = _flow(with_b=False)
    main["main"] = True
    main["nodes"]["start"]["choices"].append({"label": "Survey", "next": "x:intro"})
    survey = {
        "flow": "x",
        "languages": ["en"],
        "start": "intro",
        "nodes": {"intro": {"say": "Survey", "choices": [{"label": "Done", "next": "t:start"}]}},
    }
    _write(folder / "t.json", main, 1_700_000_000)
    _write(folder / "x.json", survey, 1_700_000_000)
    flows = LiveFlows([folder], check_every=0)
    store = Store(flows, PRIVACY, database_url=database.url)
    try:
        for text in ("/start", "Survey"):
            await store.handle("telegram", Inbound.message(text), user_id=43)
        assert (await participant(43)).flow == "x"

        (folder / "x.json").unlink()
        main["nodes"]["start"]["choices"].pop()
        _write(folder / "t.json", main, 1_700_000_100)
        delivery = await store.handle("telegram", Inbound.message("Done"), user_id=43)
        assert [(m.flow, m.from_node, m.reason) for m in delivery.moves] == [
            ("x", "intro", "flow_removed")
        ]
        assert delivery.turn is not None and delivery.turn.after == "t:start"
        assert await kinds(43) == ["start", "choice", "migrated", "start"]
    finally:
        await store.close()


async def test_the_generic_transaction_path_keeps_the_same_promises(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where SQLite's two-trip path is unavailable, Tortoise transactions do the same job."""
    monkeypatch.setattr("engine.storage.store.fast_sqlite_available", lambda: False)
    store = Store(LiveFlows([FIXTURES / "helpdesk.json"]), PRIVACY, database_url=database.url)
    try:
        await store.handle("telegram", Inbound.message("/start"), user_id=51, update_id=1)
        again = await store.handle("telegram", Inbound.message("/start"), user_id=51, update_id=1)
        assert again.duplicate
        assert not store._fast_sqlite

        def crash(*args: Any, **kwargs: Any) -> None:
            raise Crash("disk full")

        with monkeypatch.context() as patch:
            patch.setattr(Dialect, "insert_interactions", crash)
            with pytest.raises(Crash):
                await store.handle("telegram", Inbound.message("Profile"), user_id=51, update_id=2)
        assert (await participant(51)).node == "start"
        await store.handle("telegram", Inbound.message("Profile"), user_id=51, update_id=2)
        assert await kinds(51) == ["start", "choice"]
        assert (await participant(51)).version == 2
    finally:
        await store.close()


async def test_a_second_run_continues_where_the_first_stopped(tmp_path: Path) -> None:
    """Like `clixchat chat` twice: each store opens the database itself and closes it."""
    url = f"sqlite://{tmp_path / 'console.db'}"

    async def make_schema() -> None:  # in its own task, so its Tortoise setup stays there
        await Tortoise.init(config=tortoise_config(url, with_aerich=False))
        await Tortoise.generate_schemas()
        await Tortoise.close_connections()

    await asyncio.create_task(make_schema())
    assert not Tortoise.is_inited()
    for texts, expected in ((["/start", "Profile"], "years"), (["7"], "start")):
        store = Store(LiveFlows([FIXTURES / "helpdesk.json"]), PRIVACY, database_url=url)
        for text in texts:
            last = await store.handle("console", Inbound.message(text), user_id="local")
        await store.close()
        assert last.turn is not None and last.turn.after == f"helpdesk:{expected}"
    assert not Tortoise.is_inited()  # the store's own setup did not leak into the caller's

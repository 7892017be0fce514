"""End to end: the real app over HTTP, a flow walked through Telegram-shaped updates."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.stack import TIME_SCALE, running_stack
from tests.support import updates as u

USER = 555000111
NAME = "Asha"


async def test_reply_keyboard_walk_with_ask_retry_media_back_and_restart(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        ids = u.UpdateIds(100)
        first = await stack.post(u.command(ids, USER, "/start"))
        assert first.status_code == 200 and first.content == b""  # the outbox sends the reply
        (call,) = await stack.api.wait_for(1, chat_id=USER)
        assert call.method == "sendMessage" and call.text == "Hello teacher! Choose a topic."
        keyboard = call.reply_markup
        assert keyboard is not None and keyboard["resize_keyboard"] is True
        assert [row[0]["text"] for row in keyboard["keyboard"]] == [
            "Modules",
            "Feedback",
            "Profile",
            "Goodbye",
        ]

        two = await stack.post(u.message(ids, USER, "modules"))
        assert two.status_code == 200 and two.content == b""  # two messages: they go out in order
        sent = (await stack.api.wait_for(3, chat_id=USER))[1:]
        assert [c.method for c in sent] == ["sendMessage", "sendDocument"]
        assert sent[0].text == "Which module?" and sent[1].text == "Maths handbook"
        assert sent[1].buttons[-1] == ["Back", "Restart"]

        (back,) = await stack.say(u.message(ids, USER, "Back"), USER)
        assert back.text == "Hello teacher! Choose a topic."
        await stack.say(u.message(ids, USER, "Profile"), USER)
        (retry,) = await stack.say(u.message(ids, USER, "many"), USER)
        assert retry.text == "Please send a number, for example 5."
        (sticker,) = await stack.say(u.sticker(ids, USER), USER)
        assert sticker.text == "Please send a number, for example 5."  # says what is wanted
        answer = await stack.say(u.message(ids, USER, "12"), USER, expect=2)
        assert [r.text for r in answer] == [
            "Thank you for 12 years of teaching.",
            "Hello teacher! Choose a topic.",
        ]
        await stack.say(u.message(ids, USER, "Modules"), USER, expect=2)
        (restart,) = await stack.say(u.message(ids, USER, "Restart"), USER)
        assert restart.text == "Hello teacher! Choose a topic." and restart.labels[0] == "Modules"
        # the burst, then 1/s on the outbox clock (TIME_SCALE times faster than the wall clock)
        assert stack.api.max_rate_per_chat(0.95 / TIME_SCALE) <= 3


async def test_inline_keyboard_taps_are_answered_and_followed(tmp_path: Path) -> None:
    async with running_stack(tmp_path, keyboard="inline") as stack:
        ids = u.UpdateIds(200)
        (first,) = await stack.say(u.command(ids, USER, "/start"), USER)
        assert first.markup is not None
        buttons = first.markup["inline_keyboard"]
        data = {row[0]["text"]: row[0]["callback_data"] for row in buttons}
        assert all(len(d.encode()) <= 64 for d in data.values())
        (tap,) = await stack.say(u.callback_query(ids, USER, data["Feedback"], chat_id=USER), USER)
        assert tap.text == "Tell us what you think."
        answered = await stack.api.wait_for(lambda api: api.last("answerCallbackQuery"))
        assert answered is not None and answered.ok
        (stale,) = await stack.say(u.callback_query(ids, USER, data["Modules"], chat_id=USER), USER)
        assert "no longer active" in stale.text


async def test_redelivered_update_is_processed_once(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        update = u.command(300, USER, "/start")
        first = await stack.post(update)
        again = await stack.post(update)
        assert first.status_code == again.status_code == 200
        await stack.settle()
        assert [c.method for c in stack.api.sent(USER)] == ["sendMessage"]  # one reply
        assert stack.count("interaction") == 1 and stack.count("processed_update") == 1
        assert stack.rows("SELECT status FROM outbox") == [("sent",)]


async def test_reply_in_response_rides_in_the_answer_and_is_recorded_unconfirmed(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path, REPLY_IN_RESPONSE="on") as stack:
        ids = u.UpdateIds(350)
        first = await stack.post(u.command(ids, USER, "/start"))
        body = first.json()  # a single reply rides in the webhook response
        assert body["method"] == "sendMessage" and body["chat_id"] == USER
        assert body["text"] == "Hello teacher! Choose a topic."
        two = await stack.post(u.message(ids, USER, "modules"))
        assert two.content == b""  # two messages: they go through the outbox, in order
        await stack.settle()
        statuses = [row[0] for row in stack.rows("SELECT status FROM outbox ORDER BY id")]
        assert statuses == ["sent_unconfirmed", "sent", "sent"]
        assert [c.method for c in stack.api.sent(USER)] == ["sendMessage", "sendDocument"]


async def test_wrong_secret_malformed_and_oversized_bodies(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        update = u.command(400, USER, "/start")
        assert (await stack.post(update, secret="wrong")).status_code == 401
        assert (await stack.post(update, secret=None)).status_code == 401
        headers = {"X-Telegram-Bot-Api-Secret-Token": "e2e-webhook-secret_0123456789"}
        bad = await stack.http.post(f"{stack.url}/bot/", content=b"{not json", headers=headers)
        assert bad.status_code == 400
        big = await stack.http.post(
            f"{stack.url}/bot/", content=b"[" + b" " * (2 << 20) + b"]", headers=headers
        )
        assert big.status_code == 400
        no_id = await stack.http.post(f"{stack.url}/bot/", json={"message": {}}, headers=headers)
        assert no_id.status_code == 400
        odd = await stack.http.post(
            f"{stack.url}/bot/", json={"update_id": 401, "poll_answer": {"x": 1}}, headers=headers
        )
        assert odd.status_code == 200
        edited = await stack.post(u.edited_message(402, USER, "typo"))
        assert edited.status_code == 200 and edited.content == b""
        group = await stack.post(u.group_message(403, USER, "hello"))
        assert group.status_code == 200 and stack.count("participant") == 0
        assert (await stack.post(update)).status_code == 200  # still alive


async def test_429_storm_still_delivers_every_message_in_order(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        stack.api.fail_next("*", count=3, status=429, retry_after=1)
        await stack.post(u.command(500, USER, "/start"))
        await stack.settle()
        await stack.post(u.message(501, USER, "Modules"))
        sent = await stack.api.wait_for(3, chat_id=USER, timeout=15)
        assert [c.method for c in sent] == ["sendMessage", "sendMessage", "sendDocument"]


async def test_blocked_user_is_marked_inactive_and_comes_back(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        await stack.post(u.command(600, USER, "/start"))
        stack.api.fail_chat(USER, status=403)
        await stack.post(u.message(601, USER, "Modules"))  # two messages: via the outbox, refused
        for _ in range(200):
            if not stack.active():
                break
            await asyncio.sleep(0.02)
        assert stack.active() is False
        stack.api.fail_chat(USER, status=None)
        await stack.post(u.my_chat_member(602, USER, status="member"))
        assert stack.active() is True
        await stack.post(u.my_chat_member(603, USER, status="kicked"))
        assert stack.active() is False


async def test_no_personal_data_in_logs_or_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with running_stack(tmp_path) as stack:
        await stack.post(u.command(700, USER, "/start", first_name=NAME))
        await stack.post(u.contact(701, USER, "+919876543210"))
        await stack.post(u.message(702, USER, "Feedback", first_name=NAME))
        await stack.settle()
        rows = [
            str(r) for t in ("participant", "interaction") for r in stack.rows(f"SELECT * FROM {t}")
        ]
    logged = caplog.text
    for secret in (str(USER), NAME, "9876543210", "asha_t"):
        assert secret not in logged
        assert not any(secret in row for row in rows)


async def test_a_reply_the_bot_api_refuses_is_recorded_not_lost(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        await stack.post(u.command(800, USER, "/start"))
        stack.api.fail_next("sendDocument", 1, status=400, description="Bad Request: wrong file")
        await stack.post(u.message(801, USER, "Modules"))
        for _ in range(250):
            if stack.rows("SELECT saved FROM interaction WHERE kind = 'send_failed'"):
                break
            await asyncio.sleep(0.02)
        (saved,) = stack.rows("SELECT saved FROM interaction WHERE kind = 'send_failed'")[0]
        assert json.loads(saved) == {
            "method": "sendDocument",
            "code": 400,
            "description": "Bad Request: wrong file",
        }


async def test_a_database_error_logs_no_text_the_participant_typed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: a PostgreSQL error quoting the stored values reached the log in a traceback."""
    import subprocess
    import sys

    import asyncpg  # type: ignore[import-untyped]

    from tests.support.db import fresh_url

    marker = "MARKER-typed-by-a-teacher-7a1f"
    async with fresh_url("postgres", tmp_path) as url:
        # aerich keeps its dialect in class state: migrate in a child process
        subprocess.run(
            [sys.executable, "-m", "engine.cli.main", "db", "upgrade", "--database", url],
            check=True,
            capture_output=True,
            timeout=120,
        )
        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:  # a real database error whose message quotes what came in
            await connection.execute(
                """CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN
                   IF NEW.input_text LIKE 'MARKER%' THEN
                     RAISE EXCEPTION 'refused value: %', NEW.input_text; END IF;
                   RETURN NEW; END $$ LANGUAGE plpgsql;
                   CREATE TRIGGER refuse BEFORE INSERT ON interaction
                   FOR EACH ROW EXECUTE FUNCTION refuse();"""
            )
        finally:
            await connection.close()
        caplog.set_level(logging.DEBUG)
        async with running_stack(tmp_path, DATABASE_URL=url) as stack:
            assert (await stack.post(u.command(900, USER, "/start"))).status_code == 200
            refused = await stack.post(u.message(901, USER, marker))
            assert refused.status_code == 500  # not stored: Telegram delivers it again
    assert "not stored" in caplog.text
    assert marker not in caplog.text
    assert not any(marker in str(r.exc_info) for r in caplog.records if r.exc_info)


async def test_a_folder_named_like_a_flow_file_is_a_flow_error_not_a_500(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Regression: a directory `x.json` in FLOWS_DIR made every update answer 500."""
    async with running_stack(tmp_path) as stack:
        await stack.say(u.command(950, USER, "/start"), USER)
        (tmp_path / "flows" / "x.json").mkdir()
        await asyncio.sleep(1.2)  # flows are checked for changes at most once a second
        replies = await stack.say(u.message(951, USER, "Modules"), USER, expect=2)
        assert replies[0].text == "Which module?"  # the last good revision keeps running
        health = (await stack.http.get(f"{stack.url}/healthz")).json()
        assert health["status"] == "degraded"
        assert any("x.json:1:1: error: /: cannot read" in line for line in health["flow_errors"])
        (tmp_path / "flows" / "x.json").rmdir()
        await asyncio.sleep(1.2)
        await stack.say(u.message(952, USER, "Back"), USER)
        assert (await stack.http.get(f"{stack.url}/healthz")).json()["status"] == "ok"
    assert "x.json:1:1: error: /: cannot read" in caplog.text


async def test_a_reply_waiting_over_a_minute_makes_healthz_degraded(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack:
        stack.api.set_latency(3.0, "sendMessage")  # a slow Bot API: the reply stays in flight
        await stack.post(u.command(800, USER, "/start"))
        for _ in range(100):
            if stack.rows("SELECT status FROM outbox") == [("sending",)]:
                break
            await asyncio.sleep(0.02)
        with sqlite3.connect(stack.db_path) as db:  # written two minutes ago
            db.execute("UPDATE outbox SET created_at = datetime('now', '-2 minutes')")
        health = (await stack.http.get(f"{stack.url}/healthz")).json()
        assert health["status"] == "degraded" and health["outbox"]["unsent"] == 1
        assert health["outbox"]["oldest_seconds"] > 60
        metrics = (await stack.http.get(f"{stack.url}/metrics")).text
        assert "clixchat_outbox_depth 1.0" in metrics
        await stack.settle(timeout=10)
        health = (await stack.http.get(f"{stack.url}/healthz")).json()
        assert health["status"] == "ok" and health["outbox"]["unsent"] == 0
        metrics = (await stack.http.get(f"{stack.url}/metrics")).text
        assert 'clixchat_sends_total{outcome="sent"} 1.0' in metrics


async def test_a_local_file_is_uploaded_once_per_deployment_even_across_restarts(
    tmp_path: Path,
) -> None:
    flows = tmp_path / "own-flows"
    flows.mkdir()
    document = json.loads(
        (Path(__file__).parents[1] / "fixtures" / "helpdesk.json").read_text(encoding="utf-8")
    )
    document["nodes"]["modules"]["say"][1]["document"] = "handbook.pdf"
    (flows / "helpdesk.json").write_text(json.dumps(document), encoding="utf-8")
    (flows / "handbook.pdf").write_bytes(b"%PDF-1.4 a maths handbook\n")
    for user, restart in ((USER, "first process"), (USER + 1, "after a restart")):
        async with running_stack(tmp_path, FLOWS_DIR=str(flows)) as stack:
            ids = u.UpdateIds(1000 * (user - USER + 1))
            await stack.say(u.command(ids, user, "/start"), user)
            await stack.say(u.message(ids, user, "Modules"), user, expect=2)
            await stack.settle()
            (sent,) = stack.api.calls_of("sendDocument")
            stored = stack.rows("SELECT key, file_id FROM media_file")
            assert len(stored) == 1 and stored[0][0].endswith("handbook.pdf"), restart
            if restart == "first process":
                assert sent.files, "the first send uploads the file"
            else:  # a new process: Telegram's file_id from the table, no second upload
                assert not sent.files and sent.params["document"] == stored[0][1]

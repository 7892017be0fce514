"""Telegram updates, in the shapes Telegram sends, read as engine events without personal data."""

from __future__ import annotations

from aiogram.types import Update

from engine.channels.telegram.updates import interpret
from tests.support import updates as u


def read(data: dict[str, object]) -> object:
    return interpret(Update.model_validate(data))


def test_text_and_commands() -> None:
    incoming = interpret(Update.model_validate(u.message(1, 42, "Modules", language_code="hi")))
    assert (incoming.user_id, incoming.chat_id, incoming.ignored) == (42, 42, None)
    assert incoming.event is not None and incoming.event.kind == "text"
    assert incoming.event.text == "Modules" and incoming.event.language_code == "hi"
    start = interpret(Update.model_validate(u.command(2, 42, "/start", "feedback")))
    assert start.event is not None and (
        start.event.kind,
        start.event.text,
        start.event.payload,
    ) == (
        "command",
        "start",
        "feedback",
    )


def test_media_kinds_become_media_events() -> None:
    cases = {
        "photo": u.photo(1, 42),
        "document": u.document(2, 42),
        "voice": u.voice(3, 42),
        "sticker": u.sticker(4, 42),
        "location": u.location(5, 42, 19.07, 72.87),
    }
    for kind, data in cases.items():
        incoming = interpret(Update.model_validate(data))
        assert incoming.event is not None and incoming.event.media == kind, kind
    where = interpret(Update.model_validate(cases["location"])).event
    assert where is not None and where.value == {"lat": 19.07, "lon": 72.87}


def test_a_shared_contact_never_carries_the_phone_number_or_name() -> None:
    incoming = interpret(Update.model_validate(u.contact(1, 42, "+919876543210")))
    assert incoming.event is not None and incoming.event.media == "contact"
    assert "9876543210" not in repr(incoming) and "Asha" not in repr(incoming)


def test_callback_query_keeps_its_id_for_answering() -> None:
    incoming = interpret(Update.model_validate(u.callback_query(1, 42, "ab12cd34:1", chat_id=42)))
    assert incoming.event is not None and incoming.event.kind == "button"
    assert incoming.event.text == "ab12cd34:1" and incoming.callback_query_id


def test_edited_membership_group_and_unknown_updates() -> None:
    edited = interpret(Update.model_validate(u.edited_message(1, 42, "typo")))
    assert edited.ignored == "edited" and edited.event is None
    blocked = interpret(Update.model_validate(u.my_chat_member(2, 42, status="kicked")))
    back = interpret(Update.model_validate(u.my_chat_member(3, 42, status="member")))
    assert (blocked.active, back.active) == (False, True)
    group = interpret(Update.model_validate(u.group_message(4, 42, "hello")))
    assert group.is_group
    unknown = interpret(
        Update.model_validate(
            {
                "update_id": 5,
                "inline_query": {"id": "1", "from": u.user(42), "query": "x", "offset": ""},
            }
        )
    )
    assert unknown.ignored == "unsupported_update"

"""The runtime, driven as a participant would drive it: event in, messages and position out."""

from __future__ import annotations

from engine.core.conversation import Conversation
from engine.core.events import Inbound
from engine.core.keyboards import node_tag
from engine.core.runtime import Runtime, Turn
from tests.conftest import make_flow


def send(rt: Runtime, conv: Conversation, text: str, lang: str | None = None) -> Turn:
    return rt.handle(conv, Inbound.message(text, lang))


def texts(turn: Turn) -> list[str]:
    return [m.text for m in turn.messages]


def labels(turn: Turn) -> list[str]:
    return [b.label for row in turn.messages[-1].buttons for b in row]


def test_first_message_that_is_not_start_enters_main_flow_at_start(
    helpdesk: Runtime, conv: Conversation
) -> None:
    turn = send(helpdesk, conv, "hello")
    assert turn.kind == "start" and turn.after == "helpdesk:start"
    assert texts(turn) == ["Hello teacher! Choose a topic."]
    assert labels(turn) == ["Modules", "Feedback", "Profile", "Goodbye"]


def test_language_comes_from_telegram_language_code_when_the_flow_has_it(helpdesk: Runtime) -> None:
    hindi, tamil = Conversation(), Conversation()
    assert texts(send(helpdesk, hindi, "/start", "hi")) == ["नमस्ते! विषय चुनिए।"]
    assert texts(send(helpdesk, tamil, "/start", "ta")) == ["Hello teacher! Choose a topic."]
    assert (hindi.language, tamil.language) == ("hi", "en")


def test_choice_matches_label_in_any_language_ignoring_case_and_spaces(helpdesk: Runtime) -> None:
    for typed in ["Modules", "  modules ", "MODULES", "मॉड्यूल", "1"]:
        conv = Conversation()
        send(helpdesk, conv, "/start")
        turn = send(helpdesk, conv, typed)
        assert turn.kind == "choice", typed
        assert conv.node == "modules"


def test_say_list_sends_text_then_media_with_localized_caption(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start", "hi")
    turn = send(helpdesk, conv, "1")
    first, media = turn.messages
    assert first.text == "कौन सा मॉड्यूल?" and first.buttons == ()
    assert (media.media_kind, media.media, media.text) == (
        "document",
        "https://example.org/maths.pdf",
        "गणित पुस्तिका",
    )
    assert labels(turn) == ["गणित", "अंग्रेज़ी", "वापस", "फिर से शुरू"]


def test_unknown_choice_is_answered_and_keyboard_shown_again(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start")
    turn = send(helpdesk, conv, "physics")
    assert turn.kind == "invalid_choice" and conv.node == "start"
    assert "choose one of the buttons" in texts(turn)[0]
    assert labels(turn)[:2] == ["Modules", "Feedback"]


def test_number_out_of_range_gets_the_flows_retry_and_stays(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start")
    send(helpdesk, conv, "Profile")
    for wrong in ["many", "61", "-1"]:
        turn = send(helpdesk, conv, wrong)
        assert turn.kind == "retry" and conv.node == "years"
        assert texts(turn) == ["Please send a number, for example 5."]
    assert "years" not in conv.variables


def test_answer_is_saved_branched_on_and_inserted_into_text(helpdesk: Runtime) -> None:
    novice, expert = Conversation(), Conversation()
    for conv, answer, expected in [
        (novice, "1", "Welcome to teaching! You have taught 1 years."),
        (expert, "12", "Thank you for 12 years of teaching."),
    ]:
        send(helpdesk, conv, "/start")
        send(helpdesk, conv, "Profile")
        turn = send(helpdesk, conv, answer)
        assert turn.kind == "answer" and turn.saved == {"years": int(answer)}
        assert texts(turn)[0] == expected
        assert conv.node == "start"  # next chain ran on to the menu


def test_devanagari_digits_are_numbers(helpdesk: Runtime, conv: Conversation) -> None:
    send(helpdesk, conv, "/start", "hi")
    send(helpdesk, conv, "3")
    send(helpdesk, conv, "१२")
    assert conv.variables["years"] == 12


def test_user_text_with_braces_is_not_templated_again(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start")
    send(helpdesk, conv, "Feedback")
    turn = send(helpdesk, conv, "I like {years} and {feedback}")
    assert (
        texts(turn)[0]
        == "Thank you, we read every message. You said: I like {years} and {feedback}"
    )


def test_text_too_long_is_refused_with_a_default_retry(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start feedback")
    turn = send(helpdesk, conv, "x" * 201)
    assert turn.kind == "retry" and "too long" in texts(turn)[0]


def test_back_goes_along_the_participants_own_path(helpdesk: Runtime, conv: Conversation) -> None:
    send(helpdesk, conv, "/start")
    send(helpdesk, conv, "Modules")
    turn = send(helpdesk, conv, "Back")
    assert turn.kind == "back" and conv.node == "start"
    assert texts(turn) == ["Hello teacher! Choose a topic."]


def test_back_before_anything_happened_is_answered_not_a_crash(helpdesk: Runtime) -> None:
    conv = Conversation()
    turn = send(helpdesk, conv, "/back")
    assert turn.kind == "start" and conv.node == "start"
    turn = send(helpdesk, conv, "Back")
    assert turn.kind == "back" and "nothing to go back" in texts(turn)[0]


def test_restart_from_deep_in_the_flow(helpdesk: Runtime, conv: Conversation) -> None:
    send(helpdesk, conv, "/start", "hi")
    send(helpdesk, conv, "मॉड्यूल")
    turn = send(helpdesk, conv, "फिर से शुरू")
    assert turn.kind == "restart" and conv.node == "start" and conv.path == ["helpdesk:start"]


def test_start_payload_enters_at_a_listed_entry_point_only(helpdesk: Runtime) -> None:
    conv = Conversation()
    turn = send(helpdesk, conv, "/start feedback")
    assert turn.kind == "entry" and conv.node == "feedback"
    other = Conversation()
    turn = send(helpdesk, other, "/start modules")  # exists but is not an entry point
    assert turn.kind == "start" and other.node == "start" and "unknown_entry_point" in turn.notes


def test_language_command_switches_language_and_repeats_the_node(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start")
    turn = send(helpdesk, conv, "/language")
    assert labels(turn) == ["English", "हिन्दी"]
    turn = send(helpdesk, conv, "हिन्दी")
    assert conv.language == "hi" and turn.kind == "language_set"
    assert "नमस्ते! विषय चुनिए।" in texts(turn)
    assert labels(turn)[0] == "मॉड्यूल"


def test_media_where_text_is_expected_gets_a_polite_reply_in_users_language(
    helpdesk: Runtime,
) -> None:
    conv = Conversation()
    send(helpdesk, conv, "/start", "hi")
    turn = helpdesk.handle(conv, Inbound.attachment("sticker", "file-1", "hi"))
    assert turn.kind == "unexpected_media" and conv.node == "start"
    assert texts(turn)[0].startswith("धन्यवाद!")
    send(helpdesk, conv, "सुझाव")
    turn = helpdesk.handle(conv, Inbound.attachment("photo", "file-2", "hi"))
    # at a question, the reply says what is wanted (here: a written answer), in Hindi
    assert turn.kind == "retry" and texts(turn)[0] == "कृपया लिखकर जवाब दें।"


def test_timeout_moves_a_waiting_participant_and_stale_timers_do_nothing(helpdesk: Runtime) -> None:
    conv = Conversation()
    send(helpdesk, conv, "/start")
    turn = send(helpdesk, conv, "Profile")
    assert turn.wait == 24 * 3600
    stale = helpdesk.handle(conv, Inbound.timer("helpdesk:start"))
    assert stale.kind == "timeout_stale" and stale.messages == [] and conv.node == "years"
    fired = helpdesk.handle(conv, Inbound.timer("helpdesk:years"))
    assert fired.kind == "timeout" and conv.node == "nudge"
    assert texts(fired) == ["We missed you! Shall we continue?"]


def test_end_node_ends_and_any_message_begins_again(helpdesk: Runtime, conv: Conversation) -> None:
    send(helpdesk, conv, "/start")
    turn = send(helpdesk, conv, "Goodbye")
    assert texts(turn) == ["Goodbye!"] and conv.ended and labels(turn) == ["Restart"]
    turn = send(helpdesk, conv, "hi again")
    assert turn.kind == "start" and conv.node == "start" and not conv.ended


def test_expire_after_begins_again_with_welcome_back(helpdesk: Runtime, conv: Conversation) -> None:
    helpdesk.handle(conv, Inbound.message("/start"), now=1000.0)
    helpdesk.handle(conv, Inbound.message("Modules"), now=1001.0)
    turn = helpdesk.handle(conv, Inbound.message("Maths"), now=1001.0 + 8 * 86400)
    assert turn.kind == "expired" and texts(turn)[:2] == [
        "Welcome back!",
        "Hello teacher! Choose a topic.",
    ]


def test_inline_keyboard_buttons_carry_short_callback_data() -> None:
    flow = make_flow(
        {
            "start": {
                "say": "Pick",
                "choices": [{"label": "A", "next": "a"}, {"label": "B", "next": "b"}],
            },
            "a": {"say": "A!", "end": True},
            "b": {"say": "B!", "end": True},
        },
        keyboard="inline",
    )
    rt, conv = Runtime({"t": flow}, "t"), Conversation()
    turn = rt.handle(conv, Inbound.message("/start"))
    buttons = [b for row in turn.messages[-1].buttons for b in row]
    assert turn.messages[-1].keyboard == "inline"
    assert all(len(b.data.encode()) <= 64 for b in buttons)
    turn = rt.handle(conv, Inbound.button(buttons[1].data))
    assert texts(turn) == ["B!"]
    stale = rt.handle(
        Conversation(node="start", flow="t", path=["t:start"]), Inbound.button("deadbeef:0")
    )
    assert stale.kind == "stale_button"


def test_yes_no_by_word_in_either_language_and_by_inline_button() -> None:
    flow = make_flow(
        {
            "start": {
                "say": "Did it help?",
                "ask": {"save_as": "helped", "type": "yes_no"},
                "next": "r",
            },
            "r": {
                "branch": [{"if": {"var": "helped", "op": "==", "value": True}, "next": "good"}],
                "else": "bad",
            },
            "good": {"say": "Glad!", "end": True},
            "bad": {"say": "Sorry.", "end": True},
        },
        languages=["en", "hi"],
        keyboard="inline",
    )
    rt = Runtime({"t": flow}, "t")
    for answer, expected in [("हाँ", "Glad!"), ("No", "Sorry."), ("haan", "Glad!")]:
        conv = Conversation()
        rt.handle(conv, Inbound.message("/start"))
        assert texts(rt.handle(conv, Inbound.message(answer))) == [expected]
    conv = Conversation()
    rt.handle(conv, Inbound.message("/start"))
    turn = rt.handle(conv, Inbound.button(f"{node_tag('t', 'start')}:n"))
    assert texts(turn) == ["Sorry."] and conv.variables["helped"] is False


def test_location_and_photo_asks_take_media() -> None:
    flow = make_flow(
        {
            "start": {
                "say": "Where is your school?",
                "ask": {"save_as": "where", "type": "location"},
                "next": "pic",
            },
            "pic": {
                "say": "Send a photo of your class.",
                "ask": {"save_as": "pic", "type": "photo"},
                "next": "done",
            },
            "done": {"say": "Got {where}.", "end": True},
        },
    )
    rt, conv = Runtime({"t": flow}, "t"), Conversation()
    turn = rt.handle(conv, Inbound.message("/start"))
    assert turn.messages[-1].buttons[0][0].request == "location"
    assert rt.handle(conv, Inbound.message("Mumbai")).kind == "retry"
    rt.handle(conv, Inbound.attachment("location", {"lat": 19.07, "lon": 72.87}))
    assert rt.handle(conv, Inbound.attachment("sticker", "s")).kind == "retry"
    turn = rt.handle(conv, Inbound.attachment("photo", "AgACAgIAAx"))
    assert texts(turn) == ["Got 19.07,72.87."] and conv.variables["pic"] == "AgACAgIAAx"


def test_a_loop_with_no_wait_is_stopped_at_run_time() -> None:
    flow = make_flow({"start": {"say": "a", "next": "b"}, "b": {"next": "start"}})
    rt, conv = Runtime({"t": flow}, "t"), Conversation()
    turn = rt.handle(conv, Inbound.message("/start"))
    assert "loop_guard" in turn.notes and conv.ended
    assert "something went wrong" in texts(turn)[-1]


def test_next_may_cross_into_another_flow_and_back_returns() -> None:
    main = make_flow(
        {"start": {"say": "Main", "choices": [{"label": "Survey", "next": "survey:q"}]}},
        flow="main",
    )
    survey = make_flow(
        {"q": {"say": "Q?", "choices": [{"label": "Done", "next": "main:start"}]}},
        flow="survey",
        start="q",
    )
    rt, conv = Runtime({"main": main, "survey": survey}, "main"), Conversation()
    rt.handle(conv, Inbound.message("/start"))
    turn = rt.handle(conv, Inbound.message("Survey"))
    assert texts(turn) == ["Q?"] and (conv.flow, conv.node) == ("survey", "q")
    turn = rt.handle(conv, Inbound.message("Back"))
    assert texts(turn) == ["Main"] and conv.flow == "main"


def test_unknown_command_is_answered(helpdesk: Runtime, conv: Conversation) -> None:
    send(helpdesk, conv, "/start")
    turn = send(helpdesk, conv, "/frobnicate")
    assert turn.kind == "unknown_command" and conv.node == "start"
    assert labels(turn)[0] == "Modules"


def test_regression_keyboard_cache_leaked_one_participants_name_onto_anothers_button() -> None:
    flow = make_flow(
        {
            "start": {"say": "Name?", "ask": {"save_as": "name", "type": "text"}, "next": "menu"},
            "menu": {"say": "Hi", "choices": [{"label": "Continue as {name}", "next": "start"}]},
        }
    )
    rt = Runtime({"t": flow}, "t")
    for name in ("Asha", "Ravi"):
        conv = Conversation()
        rt.handle(conv, Inbound.message("/start"))
        turn = rt.handle(conv, Inbound.message(name))
        assert labels(turn)[0] == f"Continue as {name}"


def test_welcome_back_after_greets_a_start_or_restart_after_silence_only() -> None:
    flow = make_flow(
        {
            "start": {"say": "Menu", "choices": [{"label": "A", "next": "a"}]},
            "a": {"say": "Topic A", "choices": [{"label": "B", "next": "b"}]},
            "b": {"say": "Topic B", "end": True},
        },
        welcome_back_after="10m",
    )
    runtime = Runtime({flow.id: flow}, flow.id)
    conv = Conversation()
    assert texts(runtime.handle(conv, Inbound.message("/start"), now=1000.0)) == ["Menu"]
    # a choice after 11 minutes continues where they were (no greeting, no move)
    assert texts(runtime.handle(conv, Inbound.message("A"), now=1660.0)) == ["Topic A"]
    # /start after 11 minutes is greeted first
    greeted = texts(runtime.handle(conv, Inbound.message("/start"), now=2320.0))
    assert greeted == ["Welcome back!", "Menu"]
    # Restart after 5 minutes is not
    runtime.handle(conv, Inbound.message("A"), now=2330.0)
    assert texts(runtime.handle(conv, Inbound.message("Restart"), now=2630.0)) == ["Menu"]


def test_a_nodes_back_target_wins_over_the_path() -> None:
    flow = make_flow(
        {
            "start": {"say": "Menu", "choices": [{"label": "Maths", "next": "maths"}]},
            "maths": {"say": "Maths", "choices": [{"label": "Ratio", "next": "ratio"}]},
            "ratio": {
                "say": "Ratio",
                "choices": [{"label": "Ratio", "next": "ratio"}],
                "back": "start",
            },
        }
    )
    runtime = Runtime({flow.id: flow}, flow.id)
    conv = Conversation()
    for typed in ("/start", "Maths", "Ratio", "Ratio"):
        runtime.handle(conv, Inbound.message(typed))
    assert texts(runtime.handle(conv, Inbound.message("Back"))) == ["Menu"]
    assert conv.path == ["t:start"]
    assert texts(runtime.handle(conv, Inbound.message("Maths"))) == ["Maths"]
    assert texts(runtime.handle(conv, Inbound.message("Back"))) == ["Menu"]  # by the path


def test_media_at_a_number_question_gets_the_questions_own_retry_text() -> None:
    """Regression: a sticker at a number question got "please use the buttons"."""
    flow = make_flow(
        {
            "start": {
                "say": "How many years?",
                "ask": {"save_as": "years", "type": "number", "retry": "Send a number, e.g. 5."},
                "next": "done",
            },
            "done": {"say": "Thanks", "end": True},
        }
    )
    runtime = Runtime({flow.id: flow}, flow.id)
    conv = Conversation()
    runtime.handle(conv, Inbound.message("/start"))
    for media in (
        Inbound.attachment("sticker", "s-1"),
        Inbound.attachment("photo", "p-1"),
        Inbound.attachment("location", {"lat": 1.0, "lon": 2.0}),
    ):
        turn = runtime.handle(conv, media)
        assert turn.kind == "retry" and texts(turn) == ["Send a number, e.g. 5."]


def test_back_after_the_end_says_the_conversation_ended_and_offers_restart() -> None:
    flow = make_flow(
        {
            "start": {"say": "Menu", "choices": [{"label": "Bye", "next": "bye"}]},
            "bye": {"say": "Goodbye!", "end": True},
        }
    )
    runtime = Runtime({flow.id: flow}, flow.id)
    conv = Conversation()
    runtime.handle(conv, Inbound.message("/start"))
    runtime.handle(conv, Inbound.message("Bye"))
    for back in (Inbound.message("Back"), Inbound.message("/back")):
        turn = runtime.handle(conv, back)
        assert texts(turn) == ["This conversation has ended. Tap Restart to begin again."]
        assert [b.label for row in turn.messages[-1].buttons for b in row] == ["Restart"]
        assert conv.ended and conv.node == "bye"
    assert texts(runtime.handle(conv, Inbound.message("Restart"))) == ["Menu"]


def test_a_reply_to_a_removed_node_is_told_the_menu_changed_not_applied() -> None:
    """Regression: "1" typed at a removed menu chose the first button of wherever the user
    was moved to."""
    old = make_flow(
        {
            "start": {"say": "Menu", "choices": [{"label": "Maths", "next": "maths"}]},
            "maths": {"say": "Maths", "choices": [{"label": "Geometry", "next": "geo"}]},
            "geo": {"say": "Geometry", "end": True},
        }
    )
    new = make_flow(
        {
            "start": {"say": "Menu", "choices": [{"label": "Science", "next": "science"}]},
            "science": {"say": "Science", "end": True},
        }
    )
    conv = Conversation()
    runtime = Runtime({old.id: old}, old.id)
    runtime.handle(conv, Inbound.message("/start"))
    runtime.handle(conv, Inbound.message("Maths"))
    assert conv.node == "maths"
    from engine.core.revision_moves import move_to_revision

    move = move_to_revision(conv, new)
    assert move is not None and move.reason in ("path", "start") and conv.node == "start"
    turn = Runtime({new.id: new}, new.id).handle(conv, Inbound.message("1"))
    assert texts(turn) == [
        "This menu has changed since your last message. Here is where you are now.",
        "Menu",
    ]
    assert conv.node == "start" and turn.kind == "menu_changed"


def test_the_simulators_enter_starts_at_an_entry_point_in_the_language_picked(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start", "en")
    conv.variables["kept"] = 1
    turn = helpdesk.handle(conv, Inbound.enter("helpdesk", "years", "hi"))
    assert turn.kind == "entry" and turn.after == "helpdesk:years"
    assert conv.language == "hi" and conv.variables == {"kept": 1}
    assert helpdesk.handle(conv, Inbound.enter("helpdesk", "start")).kind == "start"
    assert conv.language == "hi"  # no language asked: the participant's own stays


def test_enter_refuses_a_node_that_is_neither_start_nor_an_entry_point(
    helpdesk: Runtime, conv: Conversation
) -> None:
    send(helpdesk, conv, "/start")
    for flow, node in (("helpdesk", "route"), ("nosuchflow", "start")):
        turn = helpdesk.handle(conv, Inbound.enter(flow, node))
        assert "unknown_entry_point" in turn.notes and conv.where == "helpdesk:start"

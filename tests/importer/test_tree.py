"""The old CLIxChat's tree becomes a flow that behaves as the old bot did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.authoring.validation import validate_file
from engine.core.conversation import Conversation
from engine.core.events import Inbound, Outbound
from engine.core.flow import flow_from_document
from engine.core.runtime import Runtime
from engine.importer.dump import DumpError, Element, read_dump
from engine.importer.tree import convert

DUMP = Path(__file__).parents[1] / "fixtures" / "old-clixchat-dump.json"


@pytest.fixture
def converted() -> Any:
    return convert(read_dump(DUMP).elements, "clixchat")


def labels(node: dict[str, Any]) -> list[str]:
    return [c["label"] for c in node.get("choices", [])]


def test_the_converted_flow_validates(converted: Any, tmp_path: Path) -> None:
    file = tmp_path / "clixchat.json"
    file.write_text(json.dumps(converted.document, ensure_ascii=False), encoding="utf-8")
    assert [p.format() for p in validate_file(file) if p.severity == "error"] == []


def test_children_are_choices_in_tree_order_not_id_order(converted: Any) -> None:
    nodes = converted.document["nodes"]
    assert labels(nodes["start"])[:4] == ["Maths", "English", "Feedback", "हिंदी"]
    assert labels(nodes["maths"]) == ["Geometry", "Ratio", "Fractions"]
    assert nodes["start"]["say"] == ["Welcome to CLIx! Choose a topic."]


def test_tilde_splits_and_media_urls_become_media_with_the_rest_as_caption(
    converted: Any,
) -> None:
    nodes = converted.document["nodes"]
    assert nodes["maths"]["say"] == [
        "Maths resources",
        {"document": "https://clix.tiss.edu/maths/handbook.pdf", "caption": "Maths handbook"},
    ]
    assert nodes["english"]["say"] == [
        {"audio": "https://clix.tiss.edu/english/sounds.mp3", "caption": "English resources"}
    ]
    assert nodes["geometry"]["say"] == [
        {"photo": "https://clix.tiss.edu/maths/shapes.png", "caption": "Shapes around us"}
    ]
    assert nodes["stories"]["say"][0]["document"].endswith("story.gif")
    assert nodes["ratio"]["say"] == ["Ratio and proportion", "Practise with the worksheet"]


def test_a_leaf_shows_its_siblings_keyboard(converted: Any) -> None:
    nodes = converted.document["nodes"]
    assert labels(nodes["geometry"]) == labels(nodes["maths"])
    assert labels(nodes["phonics"]) == ["Phonics", "Stories"]


def test_a_caret_message_asks_for_feedback_and_thanks_for_more(converted: Any) -> None:
    nodes = converted.document["nodes"]
    assert nodes["feedback"]["say"] == ["Tell us what you think of CLIx."]
    assert nodes["feedback"]["ask"] == {"save_as": "feedback", "type": "text"}
    thanks = nodes[nodes["feedback"]["next"]]
    assert thanks["say"] == "Thank you for the feedback!" and thanks["next"] == "feedback_thanks"


def test_node_ids_come_from_names_and_are_stable(converted: Any) -> None:
    again = convert(read_dump(DUMP).elements, "clixchat")
    assert again.document == converted.document
    assert converted.node_of[1] == "start" and converted.node_of[5] == "maths"
    assert converted.node_of[12] == "element_12"  # a Devanagari name: no Latin letters
    assert converted.node_of[13] == "maths_13"  # a second "Maths"
    assert len(set(converted.node_of.values())) == len(converted.node_of)


def test_what_cannot_be_carried_over_is_reported_by_element(converted: Any) -> None:
    report = "\n".join(converted.report)
    assert "element 13 ('Maths'): a sibling has the same name" in report
    assert "element 14" in report and "a label over 64 characters; shortened" in report
    assert "element 14" in report and "an empty message; it says '?'" in report
    long_label = labels(converted.document["nodes"]["start"])[-1]
    assert len(long_label) == 64 and long_label.endswith("…")


def test_a_non_start_root_is_reported_and_used_as_start() -> None:
    elements = [
        Element(1, "Home", "Hi", None, 1, 1, 0),
        Element(2, "Help", "Help text", 1, 2, 1, 1),
    ]
    converted = convert(elements, "x")
    assert "the root is not named start" in converted.report[0]
    assert converted.document["nodes"]["start"]["say"] == ["Hi"]


def test_a_tree_without_a_root_is_refused() -> None:
    with pytest.raises(DumpError, match="no root"):
        convert([Element(2, "Help", "x", 1, 2, 1, 1)], "x")


def said(messages: list[Outbound]) -> list[str]:
    return [m.text if m.media is None else f"[{m.media_kind}] {m.text}" for m in messages]


def test_an_old_users_conversation_replays_the_same(converted: Any) -> None:
    """What the old bot answered (last message, buttons), step by step, on the imported flow."""
    flow = flow_from_document(converted.document)
    runtime = Runtime({flow.id: flow}, flow.id)
    conv = Conversation()
    steps = [
        ("/start", "Welcome to CLIx! Choose a topic.", None),
        ("Maths", "[document] Maths handbook", ["Geometry", "Ratio", "Fractions"]),
        ("Geometry", "[photo] Shapes around us", ["Geometry", "Ratio", "Fractions"]),
        ("Ratio", "Practise with the worksheet", ["Geometry", "Ratio", "Fractions"]),
        ("Back", "Welcome to CLIx! Choose a topic.", None),  # the menu above Maths
        ("Restart", "Welcome to CLIx! Choose a topic.", None),
        ("Feedback", "Tell us what you think of CLIx.", None),
        ("The modules are good", "Thank you for the feedback!", None),
    ]
    for sent, last_reply, buttons in steps:
        turn = runtime.handle(conv, Inbound.message(sent), now=1000.0)
        assert said(turn.messages)[-1].endswith(last_reply), sent
        if buttons is not None:
            shown = [b.label for row in turn.messages[-1].buttons for b in row]
            assert shown[: len(buttons)] == buttons and shown[len(buttons) :] == ["Back", "Restart"]
    assert conv.variables["feedback"] == "The modules are good"


def test_the_recorded_interactions_of_the_dump_replay_the_same(converted: Any) -> None:
    """Each recorded step of an old user (what they sent; what the old bot answered last, with
    which buttons) gives the same answer and buttons on the imported flow."""
    dump = read_dump(DUMP)
    flow = flow_from_document(converted.document)
    runtime = Runtime({flow.id: flow}, flow.id)
    conv = Conversation()
    recorded = [i for i in dump.interactions if i.user == 5123456789]
    assert len(recorded) == 2
    for old in recorded:
        turn = runtime.handle(conv, Inbound.message(old.sent), now=1000.0)
        last = turn.messages[-1]
        expected = old.received.removeprefix("Welcome back! ")
        assert (last.text or "").endswith(expected), old.sent
        shown = [b.label for row in last.buttons for b in row if b.label not in ("Back", "Restart")]
        # what is reported is handled as written: a second "Maths" is not offered, an
        # over-long label is shortened
        offered: list[str] = []
        for button in old.buttons:
            if button not in offered:
                offered.append(button if len(button) <= 64 else button[:63] + "…")
        assert shown == offered, old.sent

"""The bundled programme (flows/clix-teachers.json): valid, bilingual, every node reachable."""

from __future__ import annotations

import copy
from pathlib import Path

from engine.authoring.library import load_library
from engine.authoring.validation import validate_paths
from engine.core.conversation import Conversation
from engine.core.events import Inbound
from engine.core.runtime import Runtime

FLOWS = Path(__file__).parents[2] / "flows"

ANSWERS: dict[str, list[Inbound]] = {
    "number": [Inbound.message("1"), Inbound.message("12")],
    "integer": [Inbound.message("1"), Inbound.message("12")],
    "text": [Inbound.message("Pune")],
    "yes_no": [Inbound.message("yes"), Inbound.message("no")],
    "regex": [Inbound.message(s) for s in ("110001", "12345678901", "ABC123")],
    "date": [Inbound.message("01/01/2020")],
    "location": [Inbound.attachment("location", {"lat": 19.0, "lon": 72.8})],
    "photo": [Inbound.attachment("photo", "AgACAgIAAx")],
}


def test_bundled_flows_validate_with_no_errors_and_no_warnings() -> None:
    assert [p.format() for p in validate_paths([FLOWS])] == []


def test_example_programme_is_rich_and_bilingual() -> None:
    library = load_library([FLOWS])
    flow = library.flows["clix-teachers"]
    assert library.main == "clix-teachers"
    assert len(flow.nodes) >= 40 and flow.languages == ("en", "hi")
    kinds = {n.ask.type for n in flow.nodes.values() if n.ask}
    assert {"number", "text", "yes_no", "regex"} <= kinds
    media = {item.kind for n in flow.nodes.values() for item in n.say if hasattr(item, "kind")}
    assert {"document", "audio", "photo"} <= media
    assert any(n.timeout for n in flow.nodes.values()) and any(
        n.branch for n in flow.nodes.values()
    )


def test_every_node_can_be_reached_by_a_participant() -> None:
    library = load_library([FLOWS])
    runtime = Runtime(library.flows, library.main)
    flow = library.flows[library.main]
    start = Conversation()
    reached = set(runtime.handle(start, Inbound.message("/start")).visited)
    Key = tuple[str | None, tuple[tuple[str, str], ...]]
    frontier, seen = [start], set[Key]({(start.where, ())})
    while frontier:
        conv = frontier.pop()
        node = flow.nodes[conv.node or flow.start]
        inputs = [Inbound.message(str(i)) for i in range(1, len(node.choices) + 1)]
        inputs += ANSWERS.get(node.ask.type, []) if node.ask else []
        inputs += [Inbound.timer(conv.where or "")] if node.timeout else []
        for event in inputs:
            after = copy.deepcopy(conv)
            turn = runtime.handle(after, event)
            reached.update(turn.visited)
            key = (after.where, tuple(sorted((k, repr(v)) for k, v in after.variables.items())))
            if after.where and not after.ended and key not in seen:
                seen.add(key)
                frontier.append(after)
    assert {f"{flow.id}:{n}" for n in flow.nodes} - reached == set()

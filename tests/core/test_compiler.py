"""One machine per flow revision, shared by every participant."""

from __future__ import annotations

from engine.core.compiler import compile_flow
from engine.core.conversation import Conversation
from tests.conftest import load_flow


def test_one_shared_machine_without_auto_transitions_or_registered_models() -> None:
    compiled = compile_flow(load_flow("helpdesk.json"))
    machine = compiled.machine
    assert machine.models == []
    assert not machine.auto_transitions
    assert not any(name.startswith("to_") for name in machine.events)
    people = [Conversation(flow="helpdesk", node="start") for _ in range(100)]
    for person in people:
        assert compiled.fire("choose:0", person)
    assert {p.node for p in people} == {"modules"} and machine.models == []


def test_events_cover_choices_answers_advance_branch_timeout_restart_and_jump() -> None:
    compiled = compile_flow(load_flow("helpdesk.json"))
    person = Conversation(flow="helpdesk", node="years")
    assert compiled.fire("timeout", person) and person.node == "nudge"
    person.node = "years"
    assert compiled.fire("answer", person) and person.node == "route"
    assert compiled.fire("route", person, variables={"years": 1}) and person.node == "novice"
    assert compiled.fire("advance", person) and person.node == "start"
    assert compiled.fire("jump", person, to="feedback") and person.node == "feedback"
    assert compiled.fire("restart", person) and person.node == "start"
    assert not compiled.fire("no-such-event", person)
    assert not compiled.can("answer", "start") and compiled.can("answer", "feedback")


def test_plain_transitions_are_read_from_the_machine_and_routes_keep_their_conditions() -> None:
    compiled = compile_flow(load_flow("helpdesk.json"))
    machine_edges = {
        (name, source): candidates[0].dest
        for name, event in compiled.machine.events.items()
        for source, candidates in event.transitions.items()
        if len(candidates) == 1 and not candidates[0].conditions and candidates[0].dest
    }
    assert compiled.plain == machine_edges
    assert ("route", "route") not in compiled.plain  # two conditional candidates: trigger decides
    person = Conversation(flow="helpdesk", node="route")
    assert compiled.fire("route", person, variables={"years": 30}) and person.node == "expert"

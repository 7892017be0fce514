"""The nodes a turn passed through, inferred from the flow: next chains and branches."""

from __future__ import annotations

from engine.storage.dashboard.passage import passed
from tests.conftest import load_flow

FLOW = load_flow("helpdesk.json")


def test_an_answer_follows_the_branch_its_value_takes() -> None:
    assert passed(FLOW, "years", "start", "answer", {"years": 1}, dict) == ["route", "novice"]
    assert passed(FLOW, "years", "start", "answer", {"years": 12}, dict) == ["route", "expert"]


def test_a_choice_goes_through_its_next_chain() -> None:
    # modules: 1 Maths -> maths -> start
    assert passed(FLOW, "modules", "start", "choice", {"choice": 1}, dict) == ["maths"]
    assert passed(FLOW, "start", "years", "choice", {"choice": 3}, dict) == []


def test_a_walk_that_does_not_end_where_the_turn_ended_counts_nothing() -> None:
    assert passed(FLOW, "modules", "bye", "choice", {"choice": 1}, dict) == []
    assert passed(FLOW, "modules", "start", "choice", {"choice": 9}, dict) == []
    assert passed(FLOW, "nowhere", "start", "choice", {"choice": 1}, dict) == []
    # a choice straight to where the turn ended passed through nothing
    assert passed(FLOW, "nudge", "start", "choice", {"choice": 2}, dict) == []

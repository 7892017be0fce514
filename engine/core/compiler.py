"""Compile a flow into one shared `transitions` state machine per flow revision.

One Machine serves every participant: `auto_transitions` is off, no participant is ever
registered with `add_model`, and events are fired on the participant's own state object
(`machine.events[name].trigger(conversation)`), so one event costs the same whatever the
flow's size. States are node ids; a target in another flow ("flow-id:node") becomes a
*portal* state that the runtime follows into that flow's machine.

Events:
  choose:N   a choice was picked (N counts from 0)
  answer     an ask got a valid answer
  advance    a node with `next` alone goes on
  route      a branch node: one transition per rule, tried in order, then `else`
  timeout    a waiting node's timeout fired
  restart    back to the flow's start, from anywhere
  jump       to a node chosen at run time (Back along the path, entry points, migrations)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from transitions import EventData, Machine

from engine.core.conditions import holds
from engine.core.flow import Flow, Rule

MODEL_ATTRIBUTE = "node"

# transitions logs every event at DEBUG; at tens of thousands of events a second that is pure cost.
logging.getLogger("transitions").setLevel(logging.WARNING)


def is_portal(state: str) -> bool:
    """A state standing for a node of another flow."""
    return ":" in state


def _rule_condition(rule: Rule) -> Callable[[EventData], bool]:
    def condition(event: EventData) -> bool:
        variables: Mapping[str, Any] = event.kwargs.get("variables", {})
        return holds(rule, variables)

    return condition


def _jump(event: EventData) -> None:
    event.machine.set_state(event.kwargs["to"], event.model)


@dataclass(frozen=True)
class CompiledFlow:
    flow: Flow
    machine: Machine
    plain: Mapping[tuple[str, str], str]
    """(event, state) -> destination for the machine's unconditional transitions, read from
    the machine once; firing one is a dictionary look-up plus the machine's own set_state."""

    def fire(self, event: str, model: Any, **kwargs: Any) -> bool:
        """Fire an event on a participant's state object; False when it does not apply here."""
        dest = self.plain.get((event, getattr(model, MODEL_ATTRIBUTE)))
        if dest is not None:
            self.machine.set_state(dest, model)
            return True
        found = self.machine.events.get(event)
        if found is None:
            return False
        return bool(found.trigger(model, **kwargs))

    def can(self, event: str, state: str) -> bool:
        found = self.machine.events.get(event)
        return found is not None and state in found.transitions


def compile_flow(flow: Flow) -> CompiledFlow:
    """Build the flow's machine (O(nodes + edges) once per revision)."""
    states: set[str] = set(flow.nodes)
    transitions: list[dict[str, Any]] = []

    def edge(trigger: str, source: str, dest: str, **extra: Any) -> None:
        states.add(dest)
        transitions.append({"trigger": trigger, "source": source, "dest": dest, **extra})

    for node in flow.nodes.values():
        for index, choice in enumerate(node.choices):
            edge(f"choose:{index}", node.id, choice.next)
        if node.ask is not None and node.next is not None:
            edge("answer", node.id, node.next)
        elif node.next is not None:
            edge("advance", node.id, node.next)
        for rule in node.branch:
            edge("route", node.id, rule.next, conditions=[_rule_condition(rule)])
        if node.else_ is not None:
            edge("route", node.id, node.else_)
        if node.timeout is not None:
            edge("timeout", node.id, node.timeout.next)
    ordered = sorted(states)
    for state in ordered:
        transitions.append({"trigger": "restart", "source": state, "dest": flow.start})
        transitions.append({"trigger": "jump", "source": state, "dest": None, "after": [_jump]})
    machine = Machine(
        model=None,
        states=ordered,
        initial=flow.start,
        transitions=transitions,
        auto_transitions=False,
        send_event=True,
        model_attribute=MODEL_ATTRIBUTE,
        name=flow.id,
    )
    return CompiledFlow(flow, machine, _plain_transitions(machine))


def _plain_transitions(machine: Machine) -> dict[tuple[str, str], str]:
    """The transitions that need no condition or callback, where the state has only one for the
    event: those resolve to a fixed destination. Branch routes (conditions) and jumps (a
    callback) always go through transitions' own trigger."""
    plain: dict[tuple[str, str], str] = {}
    for name, event in machine.events.items():
        for source, candidates in event.transitions.items():
            if len(candidates) != 1:
                continue
            only = candidates[0]
            if only.dest is None or only.conditions or only.prepare or only.before or only.after:
                continue
            plain[(name, source)] = only.dest
    has_callbacks = (
        any(state.on_enter or state.on_exit for state in machine.states.values())
        or machine.before_state_change
        or machine.after_state_change
        or machine.prepare_event
    )
    return {} if has_callbacks else plain

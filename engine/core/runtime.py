"""The runtime: one inbound event + a participant's conversation -> outbound messages.

Channel-neutral and storage-neutral: it mutates the Conversation it is given and returns a
Turn describing what happened; adapters (Telegram, the console) and the store do the rest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.core.asks import ask_type
from engine.core.compiler import CompiledFlow, compile_flow, is_portal
from engine.core.conversation import Conversation
from engine.core.events import Button, Inbound, Outbound
from engine.core.flow import Flow, Media, Node, SayItem
from engine.core.keyboards import BACK_DATA, RESTART_DATA, keyboard_for, label, node_tag
from engine.core.revision_moves import MENU_CHANGED
from engine.core.text import all_languages, localize, normalize, render
from engine.core.vocabulary import InteractionKind, KeyboardKind

Rows = tuple[tuple[Button, ...], ...]
MAX_CHAIN = 1000
"""Nodes one event may pass through without a wait (validation forbids loops; this guards)."""


@dataclass
class Turn:
    """What one event did: its kind, what went out, and where the participant went."""

    kind: str
    before: str | None
    after: str | None = None
    messages: list[Outbound] = field(default_factory=list)
    saved: dict[str, Any] = field(default_factory=dict)
    wait: int | None = None
    """Seconds until the waiting node's timeout fires (None: no timeout)."""
    notes: list[str] = field(default_factory=list)
    returning: bool = False
    """Back after the flow's welcome_back_after: a /start or Restart greets them first."""
    visited: list[str] = field(default_factory=list)
    """Every node this event passed through, as "flow:node", in order."""


class Runtime:
    """Runs compiled flows. Flows are compiled once here, never per participant."""

    def __init__(self, flows: Mapping[str, Flow], main: str) -> None:
        if main not in flows:
            raise ValueError(f"main flow {main!r} is not among the loaded flows")
        self.main = main
        self.compiled: dict[str, CompiledFlow] = {fid: compile_flow(f) for fid, f in flows.items()}
        self._labels: dict[tuple[str, str], dict[str, int]] = {}
        self._nav: dict[str, dict[str, str]] = {}
        self._keyboards: dict[tuple[str, str, str, bool], tuple[KeyboardKind, Rows]] = {}

    # ----------------------------------------------------------------- entry point
    def handle(self, conv: Conversation, event: Inbound, now: float | None = None) -> Turn:
        now = time.time() if now is None else now
        turn = Turn(kind="", before=conv.where)
        if conv.flow not in self.compiled or (conv.node is not None and not self._exists(conv)):
            conv.flow, conv.node, conv.path = self.main, None, []
        compiled = self.compiled[conv.flow]
        self._choose_language(conv, event, compiled.flow)
        if event.kind == "timeout":
            self._timeout(compiled, conv, event, turn)
        elif event.kind == "enter":
            conv.last_seen = now
            self._enter(conv, event, turn)
        else:
            expired = (
                conv.started
                and compiled.flow.expire_after is not None
                and conv.last_seen is not None
                and now - conv.last_seen > compiled.flow.expire_after
            )
            welcome = compiled.flow.welcome_back_after
            turn.returning = (
                conv.started
                and welcome is not None
                and conv.last_seen is not None
                and now - conv.last_seen > welcome
            )
            conv.last_seen = now
            if expired and not (event.kind == "command" and event.text == "start"):
                self._say_builtin(compiled, conv, "welcome_back", turn)
                self._begin(
                    self.compiled[self.main], conv, None, turn, kind=InteractionKind.EXPIRED
                )
            else:
                self._dispatch(compiled, conv, event, turn)
        turn.after = conv.where
        return turn

    # ----------------------------------------------------------------- dispatch
    def _dispatch(
        self, compiled: CompiledFlow, conv: Conversation, event: Inbound, turn: Turn
    ) -> None:
        if conv.ended and (
            (event.kind == "command" and event.text == "back")
            or (event.kind != "command" and self._navigation(compiled, conv, event) == "back")
        ):
            turn.kind = InteractionKind.BACK
            self._say_builtin(compiled, conv, "conversation_ended", turn)
            self._keyboard(compiled, conv, turn)  # an end node offers Restart only
            return
        if event.kind == "command":
            self._command(compiled, conv, event, turn)
            return
        if not conv.started or conv.ended:
            self._begin(self.compiled[self.main], conv, None, turn, kind=InteractionKind.START)
            return
        if conv.awaiting == "language":
            self._language_answer(compiled, conv, event, turn)
            return
        if conv.awaiting == MENU_CHANGED:  # the reply was meant for a node that is gone
            conv.awaiting = None
            turn.kind = InteractionKind.MENU_CHANGED
            self._say_builtin(compiled, conv, "menu_changed", turn)
            self._run(compiled, conv, turn)
            return
        nav = self._navigation(compiled, conv, event)
        if nav == "back":
            self._back(compiled, conv, turn)
            return
        if nav == "restart":
            self._begin(compiled, conv, None, turn, kind=InteractionKind.RESTART)
            return
        node = compiled.flow.nodes[conv.node or compiled.flow.start]
        if node.choices:
            self._choose(compiled, conv, node, event, turn)
        elif node.ask is not None:
            self._answer(compiled, conv, node, event, turn)
        else:  # resting on a node that does not wait (after the loop guard): begin again
            self._begin(compiled, conv, None, turn, kind=InteractionKind.START)

    def _command(
        self, compiled: CompiledFlow, conv: Conversation, event: Inbound, turn: Turn
    ) -> None:
        conv.awaiting = None
        if event.text == "start":
            self._begin(
                self.compiled[self.main],
                conv,
                event.payload or None,
                turn,
                kind=InteractionKind.START,
            )
        elif event.text == "restart":
            self._begin(compiled, conv, None, turn, kind=InteractionKind.RESTART)
        elif event.text == "back":
            self._back(compiled, conv, turn) if conv.started else self._begin(
                self.compiled[self.main], conv, None, turn, kind=InteractionKind.START
            )
        elif event.text == "language":
            self._language_question(compiled, conv, turn)
        else:
            turn.kind = InteractionKind.UNKNOWN_COMMAND
            self._say_builtin(compiled, conv, "unknown_command", turn)
            if conv.started and not conv.ended:
                self._keyboard(compiled, conv, turn)

    # ----------------------------------------------------------------- moving
    def _begin(
        self, compiled: CompiledFlow, conv: Conversation, payload: str | None, turn: Turn, kind: str
    ) -> None:
        """(Re)enter a flow at its start, or at an entry point named by a /start payload."""
        if turn.returning and kind in (InteractionKind.START, InteractionKind.RESTART):
            self._say_builtin(compiled, conv, "welcome_back", turn)
            turn.returning = False
        target_flow, target = compiled, compiled.flow.start
        if payload:
            flow_id, _, node_id = payload.rpartition(":")
            candidate = self.compiled.get(flow_id or compiled.flow.id)
            if candidate is not None and node_id in candidate.flow.entry_points:
                target_flow, target = candidate, node_id
                kind = InteractionKind.ENTRY
            else:
                turn.notes.append("unknown_entry_point")
        turn.kind = kind
        conv.path, conv.ended, conv.awaiting = [], False, None
        if conv.started and conv.flow == target_flow.flow.id and target == target_flow.flow.start:
            target_flow.fire("restart", conv)
        else:
            self._place(target_flow, conv, target)
        self._run(target_flow, conv, turn)

    def _enter(self, conv: Conversation, event: Inbound, turn: Turn) -> None:
        """The simulator's picker: start over in a flow at its start or one of its entry points,
        in the language picked when the flow has it. Variables are kept (the simulator starts
        a new participant to begin empty)."""
        flow_id, _, node_id = event.node.partition(":")
        compiled = self.compiled.get(flow_id)
        if compiled is None or node_id not in (compiled.flow.start, *compiled.flow.entry_points):
            turn.kind = InteractionKind.UNKNOWN_COMMAND
            turn.notes.append("unknown_entry_point")
            fallback = self.compiled.get(conv.flow, self.compiled[self.main])
            self._say_builtin(fallback, conv, "unknown_command", turn)
            return
        if event.language_code in compiled.flow.languages:
            conv.language = event.language_code
        elif conv.language not in compiled.flow.languages:
            conv.language = compiled.flow.languages[0]
        at_start = node_id == compiled.flow.start
        turn.kind = InteractionKind.START if at_start else InteractionKind.ENTRY
        conv.path, conv.ended, conv.awaiting = [], False, None
        self._place(compiled, conv, node_id)
        self._run(compiled, conv, turn)

    def _place(self, compiled: CompiledFlow, conv: Conversation, node_id: str) -> None:
        """Put a participant on a node chosen at run time (a `jump` within a flow)."""
        if conv.flow == compiled.flow.id and conv.node in compiled.machine.states:
            compiled.fire("jump", conv, to=node_id)
        else:
            conv.flow, conv.node = compiled.flow.id, node_id
        conv.revision = compiled.flow.revision

    def _run(self, compiled: CompiledFlow, conv: Conversation, turn: Turn) -> None:
        """Say the current node and go on through non-waiting nodes until one waits or ends."""
        for _ in range(MAX_CHAIN):
            if conv.node is not None and is_portal(conv.node):
                flow_id, _, node_id = conv.node.partition(":")
                other = self.compiled.get(flow_id)
                if other is None or node_id not in other.flow.nodes:
                    break
                compiled = other
                conv.flow, conv.node, conv.revision = flow_id, node_id, other.flow.revision
            flow = compiled.flow
            node = flow.nodes[conv.node or flow.start]
            turn.visited.append(f"{flow.id}:{node.id}")
            self._say(flow, conv, node.say, turn)
            if node.waits or node.end:
                self._rest(compiled, conv, node, turn)
                return
            if node.next is not None:
                compiled.fire("advance", conv)
            elif not compiled.fire("route", conv, variables=conv.variables):
                break
        turn.notes.append("loop_guard")
        conv.ended = True
        self._say_builtin(compiled, conv, "loop", turn)

    def _rest(self, compiled: CompiledFlow, conv: Conversation, node: Node, turn: Turn) -> None:
        if node.end:
            conv.ended = True
            conv.path = []
        else:
            if node.id == compiled.flow.start and compiled.flow.id == self.main:
                conv.path = []  # start is home: arriving there leaves nothing to go back to
            conv.remember(f"{compiled.flow.id}:{node.id}")
            turn.wait = node.timeout.after if node.timeout else None
        self._keyboard(compiled, conv, turn)

    def _keyboard(self, compiled: CompiledFlow, conv: Conversation, turn: Turn) -> None:
        flow = compiled.flow
        node = flow.nodes[conv.node or flow.start]
        lang = conv.language or flow.languages[0]
        can_back = len(conv.path) > 1
        key = (flow.id, node.id, lang, can_back)
        cached = self._keyboards.get(key)
        if cached is None:
            cached = keyboard_for(flow, node, lang, conv.variables, can_back)
            templated = any("{" in text for c in node.choices for text in all_languages(c.label))
            if not templated:  # labels without {var} read the same for every participant
                self._keyboards[key] = cached
        kind, rows = cached
        if not turn.messages or turn.messages[-1].keyboard is not None:
            last = node.say[-1] if node.say else None
            prompt = (
                "…"
                if last is None or isinstance(last, Media)
                else localize(last, lang, flow.languages)
            )
            turn.messages.append(Outbound(render(prompt, conv.variables)))
        turn.messages[-1] = turn.messages[-1].with_keyboard(kind, rows)

    def _back(self, compiled: CompiledFlow, conv: Conversation, turn: Turn) -> None:
        turn.kind = InteractionKind.BACK
        node = compiled.flow.nodes.get(conv.node or "")
        if node is not None and node.back is not None and node.back in compiled.flow.nodes:
            place = f"{compiled.flow.id}:{node.back}"
            while conv.path and conv.path[-1] != place:
                conv.path.pop()
            if conv.path:
                conv.path.pop()  # placed again below, as the current node
            self._place(compiled, conv, node.back)
            self._run(compiled, conv, turn)
            return
        if len(conv.path) < 2:
            self._say_builtin(compiled, conv, "nothing_to_go_back", turn)
            self._keyboard(compiled, conv, turn)
            return
        conv.path.pop()
        flow_id, _, node_id = conv.path.pop().partition(":")
        target = self.compiled.get(flow_id, compiled)
        if node_id not in target.flow.nodes:
            target, node_id = compiled, compiled.flow.start
        self._place(target, conv, node_id)
        self._run(target, conv, turn)

    def _timeout(
        self, compiled: CompiledFlow, conv: Conversation, event: Inbound, turn: Turn
    ) -> None:
        node = compiled.flow.nodes.get(conv.node or "")
        if conv.ended or conv.where != event.node or node is None or node.timeout is None:
            turn.kind = InteractionKind.TIMEOUT_STALE
            return
        turn.kind = InteractionKind.TIMEOUT
        conv.awaiting = None
        self._say(compiled.flow, conv, node.timeout.say, turn)
        compiled.fire("timeout", conv)
        self._run(compiled, conv, turn)

    # ----------------------------------------------------------------- waiting nodes
    def _choice_index(self, compiled: CompiledFlow, node: Node, event: Inbound) -> int | None:
        if event.kind == "button":
            tag, _, index = event.text.partition(":")
            if tag == node_tag(compiled.flow.id, node.id) and index.isdigit():
                return int(index) if int(index) < len(node.choices) else None
            return None
        if event.kind != "text":
            return None
        typed = normalize(event.text)
        if typed.isdigit():
            number = int(typed)
            return number - 1 if 1 <= number <= len(node.choices) else None
        return self._label_index(compiled, node).get(typed)

    def _label_index(self, compiled: CompiledFlow, node: Node) -> dict[str, int]:
        key = (compiled.flow.id, node.id)
        index = self._labels.get(key)
        if index is None:
            index = {}
            for number, choice in enumerate(node.choices):
                spellings = (
                    [choice.label] if isinstance(choice.label, str) else choice.label.values()
                )
                for spelling in spellings:
                    index.setdefault(normalize(spelling), number)
            self._labels[key] = index
        return index

    def _choose(
        self, compiled: CompiledFlow, conv: Conversation, node: Node, event: Inbound, turn: Turn
    ) -> None:
        index = self._choice_index(compiled, node, event)
        if index is None:
            if event.kind == "button":
                turn.kind = InteractionKind.STALE_BUTTON
                self._say_builtin(compiled, conv, "stale_button", turn)
            elif event.kind == "media":
                turn.kind = InteractionKind.UNEXPECTED_MEDIA
                self._say_builtin(compiled, conv, "unexpected_media", turn)
            else:
                turn.kind = InteractionKind.INVALID_CHOICE
                self._say_builtin(compiled, conv, "invalid_choice", turn)
            self._keyboard(compiled, conv, turn)
            return
        turn.kind = InteractionKind.CHOICE
        turn.saved["choice"] = index + 1
        compiled.fire(f"choose:{index}", conv)
        self._run(compiled, conv, turn)

    def _answer(
        self, compiled: CompiledFlow, conv: Conversation, node: Node, event: Inbound, turn: Turn
    ) -> None:
        assert node.ask is not None
        ask = ask_type(node.ask.type)
        flow = compiled.flow
        lang = conv.language or flow.languages[0]
        if event.kind == "button":  # an inline button of the ask itself (Yes/No)
            tag, _, code = event.text.partition(":")
            answer = ask.button_answer(code) if tag == node_tag(flow.id, node.id) else None
            if answer is None:
                turn.kind = InteractionKind.STALE_BUTTON
                self._say_builtin(compiled, conv, "stale_button", turn)
                self._keyboard(compiled, conv, turn)
                return
            event = answer
        checked = ask.check(event, node.ask.options, lambda key: label(flow, key, lang))
        if not checked.ok:
            turn.kind = InteractionKind.RETRY
            turn.notes.append(checked.reason)
            if node.ask.retry is not None:  # it says what is wanted, whatever was sent
                text = render(localize(node.ask.retry, lang, flow.languages), conv.variables)
            else:
                text = label(flow, checked.reason, lang)
            turn.messages.append(Outbound(text))
            self._keyboard(compiled, conv, turn)
            return
        turn.kind = InteractionKind.ANSWER
        conv.variables[node.ask.save_as] = checked.value
        turn.saved[node.ask.save_as] = checked.value
        compiled.fire("answer", conv)
        self._run(compiled, conv, turn)

    def _navigation(self, compiled: CompiledFlow, conv: Conversation, event: Inbound) -> str | None:
        if event.kind == "button":
            return {BACK_DATA: "back", RESTART_DATA: "restart"}.get(event.text)
        if event.kind != "text":
            return None
        flow = compiled.flow
        spellings = self._nav.get(flow.id)
        if spellings is None:
            spellings = {
                normalize(label(flow, key, lang)): key
                for key in ("restart", "back")
                for lang in flow.languages
            }
            self._nav[flow.id] = spellings
        return spellings.get(normalize(event.text))

    # ----------------------------------------------------------------- language
    def _choose_language(self, conv: Conversation, event: Inbound, flow: Flow) -> None:
        if conv.language is None:
            code = (event.language_code or "").split("-")[0].lower()
            conv.language = code if code in flow.languages else flow.languages[0]

    def _language_question(self, compiled: CompiledFlow, conv: Conversation, turn: Turn) -> None:
        from engine.core.builtin_texts import LANGUAGE_NAMES

        turn.kind = InteractionKind.LANGUAGE
        conv.awaiting = "language"
        flow = compiled.flow
        rows = tuple(
            (Button(LANGUAGE_NAMES.get(code, code), f"~lang:{code}"),) for code in flow.languages
        )
        text = label(flow, "language", conv.language or flow.languages[0])
        turn.messages.append(Outbound(text, keyboard=flow.keyboard, buttons=rows))

    def _language_answer(
        self, compiled: CompiledFlow, conv: Conversation, event: Inbound, turn: Turn
    ) -> None:
        from engine.core.builtin_texts import LANGUAGE_NAMES

        flow = compiled.flow
        picked: str | None = None
        if event.kind == "button" and event.text.startswith("~lang:"):
            picked = event.text.removeprefix("~lang:")
        elif event.kind == "text":
            typed = normalize(event.text)
            for number, code in enumerate(flow.languages, start=1):
                names = {code, normalize(LANGUAGE_NAMES.get(code, code)), str(number)}
                if typed in names:
                    picked = code
        if picked not in flow.languages:
            self._language_question(compiled, conv, turn)
            return
        turn.kind = InteractionKind.LANGUAGE_SET
        conv.awaiting = None
        conv.language = picked
        turn.saved["language"] = picked
        self._say_builtin(compiled, conv, "language_set", turn)
        if conv.started and not conv.ended:
            node = flow.nodes[conv.node or flow.start]
            self._say(flow, conv, node.say, turn)
            self._keyboard(compiled, conv, turn)

    # ----------------------------------------------------------------- saying
    def _say(self, flow: Flow, conv: Conversation, items: tuple[SayItem, ...], turn: Turn) -> None:
        lang = conv.language or flow.languages[0]
        for item in items:
            if isinstance(item, Media):
                caption = localize(item.caption, lang, flow.languages) if item.caption else ""
                turn.messages.append(
                    Outbound(
                        render(caption, conv.variables),
                        media_kind=item.kind,
                        media=item.source,
                        path=str(item.path) if item.path else None,
                    )
                )
            else:
                text = render(localize(item, lang, flow.languages), conv.variables)
                turn.messages.extend(Outbound(part.strip()) for part in [text] if part.strip())

    def _say_builtin(
        self, compiled: CompiledFlow, conv: Conversation, key: str, turn: Turn
    ) -> None:
        flow = compiled.flow
        turn.messages.append(Outbound(label(flow, key, conv.language or flow.languages[0])))

    def _exists(self, conv: Conversation) -> bool:
        compiled = self.compiled.get(conv.flow)
        return compiled is not None and (conv.node or "") in compiled.flow.nodes

"""The web simulator's engine side: a browser session is a durable test participant on channel
"simulator", driven through the same store as a Telegram user (so a reload keeps the
conversation), with the machine's state read back after every step."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.authoring.live import LiveFlows
from engine.channels.simulator.inputs import SimulatorError, language_of, simulator_event
from engine.channels.simulator.media import MediaFiles
from engine.channels.simulator.view import (
    flows_json,
    input_item,
    message_json,
    state_json,
    transcript_json,
)
from engine.core.conversation import Conversation
from engine.core.events import Inbound
from engine.storage.apply_event import input_fields
from engine.storage.store import Store

CHANNEL = "simulator"
"""Simulator participants are test participants: left out of counts and exports."""
TRANSCRIPT_LIMIT = 400
"""How many recorded steps a reload shows (the latest)."""
INTERACTION_FIELDS = (
    "kind",
    "flow",
    "node_before",
    "input_kind",
    "input_text",
    "input_media",
    "output",
    "saved",
)


class Simulator:
    def __init__(self, store: Store, flows: LiveFlows, flows_dir: Path) -> None:
        self.store, self.flows = store, flows
        self.root = (flows_dir if flows_dir.is_dir() else flows_dir.parent).resolve()
        self._media: MediaFiles | None = None

    # ----------------------------------------------------------------- reading
    def media(self) -> MediaFiles:
        """The servable media of the flows running now (worked out again after a reload)."""
        library = self.flows.library
        if self._media is None or self._media.library is not library:
            self._media = MediaFiles(library, self.root)
        return self._media

    def picker(self) -> dict[str, Any]:
        """The flows, their entry points and languages, and any refused edit's problems."""
        self.flows.current()  # notices an edited flow file (a broken one sets `problems`)
        return flows_json(self.flows)

    async def state(self, session: str, transcript: bool = True) -> dict[str, Any]:
        """The participant's state, the flows' problems, and (for a reload) the transcript."""
        runtime = self.flows.current()
        pseudonym = self.store.privacy.pseudonym(CHANNEL, session)
        found = await self.store.read(lambda: _load(pseudonym, transcript))
        conv, wait_until, rows = found if found is not None else (Conversation(), None, [])
        result: dict[str, Any] = {
            "state": state_json(runtime, conv, pseudonym, wait_until),
            "problems": list(self.flows.problems),
            "generation": self.flows.generation,
        }
        if transcript:
            language = conv.language or runtime.compiled[runtime.main].flow.languages[0]
            result["transcript"] = transcript_json(runtime, self.media(), rows, language)
        return result

    # ----------------------------------------------------------------- acting
    async def send(self, session: str, data: dict[str, Any]) -> dict[str, Any]:
        event = simulator_event(data)
        if event is None:
            raise SimulatorError("send text, button or media (photo, document, voice, ...)")
        return await self._step(session, event)

    async def start(self, session: str, data: dict[str, Any]) -> dict[str, Any]:
        """Start at the flow and entry point picked (default: the main flow's start)."""
        library = self.flows.library
        flow_id = data.get("flow") or library.main
        flow = library.flows.get(flow_id) if isinstance(flow_id, str) else None
        if flow is None:
            raise SimulatorError(f"no flow {flow_id!r} is loaded", 404)
        entry = data.get("entry") or flow.start
        if entry not in (flow.start, *flow.entry_points):
            raise SimulatorError(f"{entry!r} is not the start or an entry point of {flow.id}")
        return await self._step(session, Inbound.enter(flow.id, entry, language_of(data)))

    async def timeout(self, session: str) -> dict[str, Any]:
        """Fire the waiting node's timeout now, as the scheduler would once it is due."""
        now = await self.state(session, transcript=False)
        state = now["state"]
        if state["timeout"] is None:
            where = f"{state['flow']}:{state['node']}" if state["node"] else "no node yet"
            raise SimulatorError(f"the participant's node ({where}) has no timeout", 409)
        return await self._step(session, Inbound.timer(f"{state['flow']}:{state['node']}"))

    async def _step(self, session: str, event: Inbound) -> dict[str, Any]:
        delivery = await self.store.handle(CHANNEL, event, user_id=session)
        runtime, media = self.flows.current(), self.media()
        notes = [
            {"who": "note", "text": f"⟳ new revision {move.to_revision[:12]} of {move.flow}"}
            for move in delivery.moves
        ]
        turn = delivery.turn
        if turn is not None and event.kind in ("enter", "timeout"):
            kind, text, attachment = input_fields(event)
            row: dict[str, Any] = {
                "kind": turn.kind,
                "flow": turn.after or "",
                "node_before": turn.before,
                "input_kind": kind,
                "input_text": text,
                "input_media": attachment,
                "saved": {},
            }
            said = input_item(runtime, row, "")
            notes.extend([said] if said is not None else [])
        after = await self.state(session, transcript=False)
        return {
            "kind": turn.kind if turn is not None else None,
            "node": turn.after if turn is not None else None,
            "notes": notes,
            "messages": [message_json(m, media) for m in turn.messages] if turn else [],
            **after,
        }


async def _load(
    pseudonym: str, transcript: bool
) -> tuple[Conversation, str | None, list[Mapping[str, Any]]] | None:
    from engine.storage.models import Interaction, Participant

    participant = await Participant.get_or_none(pseudonym=pseudonym)
    if participant is None:
        return None
    conv = Conversation(
        flow=participant.flow or "",
        node=participant.node,
        revision=participant.revision or "",
        path=list(participant.path or []),
        variables=dict(participant.variables or {}),
        language=participant.language,
        awaiting=participant.awaiting,
        ended=bool(participant.ended),
    )
    wait_until = participant.wait_until.isoformat() if participant.wait_until else None
    rows: list[Mapping[str, Any]] = []
    if transcript:
        latest = (
            await Interaction.filter(participant_id=participant.id)
            .order_by("-id")
            .limit(TRANSCRIPT_LIMIT)
            .values(*INTERACTION_FIELDS)
        )
        rows = list(reversed(latest))
    return conv, wait_until, rows

"""What one event does to a loaded participant, and the rows it leaves (in memory, no I/O).

Privacy rules for what is recorded of an inbound event: typed text and button data are kept
(research content, stored only next to a pseudonym); a command is kept with its slash; media
is recorded by its kind only, so a shared contact's phone number or name never lands in a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.core.conversation import Conversation
from engine.core.events import Inbound
from engine.core.revision_moves import Move, move_to_revision
from engine.core.runtime import Runtime, Turn
from engine.core.vocabulary import InteractionKind
from engine.storage.sql import InteractionRecord, ParticipantRow


@dataclass
class Applied:
    turn: Turn
    moves: list[Move] = field(default_factory=list)
    records: list[InteractionRecord] = field(default_factory=list)


def input_fields(event: Inbound) -> tuple[str, str | None, str | None]:
    """(input_kind, input_text, input_media) as stored for an inbound event."""
    if event.kind == "text":
        return "text", event.text, None
    if event.kind == "button":
        return "button", event.text, None
    if event.kind == "command":
        return "command", f"/{event.text}" + (f" {event.payload}" if event.payload else ""), None
    if event.kind == "media":
        return "media", None, (event.media or "unknown")[:16]
    if event.kind == "enter":  # the simulator's picker: where it started ("flow:node")
        return "enter", event.node, None
    return event.kind, None, None


def output_fields(turn: Turn) -> tuple[list[dict[str, Any]], list[str]]:
    """What went out (text and media references) and the labels of the buttons shown."""
    output = [{"text": m.text, "media_kind": m.media_kind, "media": m.media} for m in turn.messages]
    buttons = [b.label for m in turn.messages for row in m.buttons for b in row]
    return output, buttons


def _place(flow: str, node: str | None) -> str | None:
    return f"{flow}:{node}" if node is not None else None


def migration_record(
    row: ParticipantRow, move: Move, received: datetime, responded: datetime
) -> InteractionRecord:
    return InteractionRecord(
        participant_id=row.id,
        flow=move.flow,
        revision=move.to_revision,
        node_before=_place(move.flow, move.from_node),
        node_after=_place(move.flow, move.to_node),
        kind=InteractionKind.MIGRATED,
        saved={
            "from": move.from_revision,
            "to": move.to_revision,
            "from_node": move.from_node,
            "to_node": move.to_node,
            "reason": move.reason,
        },
        received_at=received,
        responded_at=responded,
    )


def next_wait(
    runtime: Runtime, row: ParticipantRow, turn: Turn, received: datetime
) -> datetime | None:
    """When the timeout of the node the participant now waits at fires.

    Any activity at a timed node restarts its timer (a timeout is "that long of silence"),
    including a retry, which the runtime reports without `wait`. A stale timer leaves a
    pending one alone; one that is already due is worked out again from where the
    participant is, so a timer whose node lost its timeout (a flow edit) stops being due.
    """
    conv = row.conv
    if conv.ended or conv.node is None:
        return None
    if (
        turn.kind == InteractionKind.TIMEOUT_STALE
        and row.wait_until is not None
        and row.wait_until > received
    ):
        return row.wait_until
    if turn.wait is not None:
        return received + timedelta(seconds=turn.wait)
    compiled = runtime.compiled.get(conv.flow)
    node = compiled.flow.nodes.get(conv.node) if compiled is not None else None
    if node is not None and node.waits and node.timeout is not None:
        return received + timedelta(seconds=node.timeout.after)
    return None


def apply_event(
    runtime: Runtime,
    row: ParticipantRow,
    event: Inbound,
    *,
    update_id: int | None,
    received: datetime,
) -> Applied:
    """Migrate the participant to their flow's current revision, then run the event."""
    conv = row.conv
    compiled = runtime.compiled.get(conv.flow)
    if compiled is not None:
        move = move_to_revision(conv, compiled.flow)
    elif conv.flow and conv.node is not None:
        # their whole flow was removed: the runtime sends them to the main flow's start
        move = Move(conv.flow, conv.revision, "", conv.node, None, "flow_removed")
    else:
        move = None
    turn = runtime.handle(conv, event, now=received.timestamp())
    responded = datetime.now(UTC)
    moves = [move] if move is not None else []
    records = [migration_record(row, m, received, responded) for m in moves]
    row.wait_until = next_wait(runtime, row, turn, received)
    if event.kind != "timeout":
        row.active = True  # a participant who writes has not blocked the bot
    row.version += 1
    row.touched = True
    input_kind, input_text, input_media = input_fields(event)
    output, buttons = output_fields(turn)
    records.append(
        InteractionRecord(
            participant_id=row.id,
            flow=conv.flow or runtime.main,
            revision=conv.revision,
            node_before=turn.before,
            node_after=turn.after,
            kind=turn.kind or "unknown",
            input_kind=input_kind,
            input_text=input_text,
            input_media=input_media,
            output=output,
            buttons=buttons,
            saved=dict(turn.saved),
            received_at=received,
            responded_at=responded,
            update_id=update_id,
        )
    )
    return Applied(turn, moves, records)


def reset_participant(row: ParticipantRow, flow: str, now: datetime) -> InteractionRecord:
    """Forget position, path, variables and language (`chat --fresh`); returns the record
    of the reset (history is kept)."""
    before = row.conv.where
    row.conv = Conversation(last_seen=row.conv.last_seen)
    row.wait_until, row.version, row.touched = None, row.version + 1, True
    return InteractionRecord(
        participant_id=row.id,
        flow=flow,
        revision="",
        node_before=before,
        node_after=None,
        kind=InteractionKind.RESET,
        received_at=now,
        responded_at=now,
    )

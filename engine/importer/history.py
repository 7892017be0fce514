"""The old bot's users and interactions, stored as this engine stores live ones.

A user becomes a participant with the pseudonym a live Telegram user gets (same HMAC, same
CLIXCHAT_SECRET), their chat id encrypted the same way, waiting at their old `last_node`, last seen
at `last_visit`. Every interaction is kept with its times and its node, of kind `imported`.
Running it again adds nothing: participants that exist are left as they are, and an interaction
already imported (its old pk is kept in `saved`) is not added twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engine.core.flow import revision_of
from engine.core.vocabulary import InteractionKind
from engine.importer.dump import Dump, Element
from engine.importer.tree import Converted
from engine.storage.models import Interaction, Participant
from engine.storage.privacy import Privacy

BATCH = 1000
Progress = Callable[[int], None]


@dataclass
class HistoryCounts:
    participants: int = 0
    participants_existing: int = 0
    interactions: int = 0
    interactions_existing: int = 0
    interactions_without_user: int = 0


def _path(element: Element | None, by_pk: dict[int, Element], converted: Converted) -> list[str]:
    """The waiting nodes from start down to this element, as the engine's Back path."""
    flow = converted.document["flow"]
    chain: list[str] = []
    seen: set[int] = set()
    while element is not None and element.pk not in seen:
        seen.add(element.pk)
        if element.pk in converted.node_of:
            chain.append(f"{flow}:{converted.node_of[element.pk]}")
        element = by_pk.get(element.parent) if element.parent is not None else None
    return list(reversed(chain))


async def import_history(
    dump: Dump, converted: Converted, privacy: Privacy, progress: Progress | None = None
) -> HistoryCounts:
    """Store the dump's users and interactions (Tortoise must be initialised on the database)."""
    counts = HistoryCounts()
    flow, revision = converted.document["flow"], revision_of(converted.document)
    by_pk = {e.pk: e for e in dump.elements}
    now = datetime.now(UTC)
    pseudonyms = {u.chat_id: privacy.pseudonym("telegram", u.chat_id) for u in dump.users}
    known = await _existing_participants(list(pseudonyms.values()))
    fresh: list[Participant] = []
    for user in dump.users:
        pseudonym = pseudonyms[user.chat_id]
        if pseudonym in known:
            counts.participants_existing += 1
            continue
        element = by_pk.get(user.last_node) if user.last_node is not None else None
        node = converted.node_of.get(element.pk) if element is not None else None
        fresh.append(
            Participant(
                pseudonym=pseudonym,
                channel="telegram",
                chat_cipher=privacy.seal(user.chat_id),
                flow=flow if node else "",
                revision=revision if node else "",
                node=node,
                path=_path(element, by_pk, converted) if node else [],
                variables={},
                last_seen=user.last_visit,
                created_at=user.last_visit or now,
            )
        )
        known.add(pseudonym)
    for start in range(0, len(fresh), BATCH):
        await Participant.bulk_create(fresh[start : start + BATCH])
        counts.participants += len(fresh[start : start + BATCH])
    ids = await _participant_ids(list(pseudonyms.values()))
    done = await _imported_pks()
    batch: list[Interaction] = []
    for index, old in enumerate(dump.interactions, 1):
        participant = ids.get(pseudonyms.get(old.user, ""))
        if participant is None:
            counts.interactions_without_user += 1
        elif old.pk in done:
            counts.interactions_existing += 1
        else:
            batch.append(_interaction(old, participant, flow, revision, converted, now))
            done.add(old.pk)
        if len(batch) >= BATCH:
            await Interaction.bulk_create(batch)
            counts.interactions += len(batch)
            batch = []
        if progress is not None and index % BATCH == 0:
            progress(BATCH)
    if batch:
        await Interaction.bulk_create(batch)
        counts.interactions += len(batch)
    if progress is not None:
        progress(len(dump.interactions) % BATCH)
    return counts


def _interaction(
    old: Any, participant: int, flow: str, revision: str, converted: Converted, now: datetime
) -> Interaction:
    node = converted.node_of.get(old.element) if old.element is not None else None
    place = f"{flow}:{node}" if node else None
    received = old.start or now
    return Interaction(
        participant_id=participant,
        flow=flow,
        revision=revision,
        node_before=place,
        node_after=place,
        kind=InteractionKind.IMPORTED,
        input_kind="text",
        input_text=old.sent,
        output=[{"text": old.received, "media_kind": None, "media": None}] if old.received else [],
        buttons=old.buttons,
        saved={"old_interaction": old.pk},
        received_at=received,
        responded_at=old.response or received,
    )


async def _existing_participants(pseudonyms: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(pseudonyms), BATCH):
        rows = await Participant.filter(
            pseudonym__in=pseudonyms[start : start + BATCH]
        ).values_list("pseudonym", flat=True)
        found.update(str(r) for r in rows)
    return found


async def _participant_ids(pseudonyms: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(pseudonyms), BATCH):
        rows = await Participant.filter(pseudonym__in=pseudonyms[start : start + BATCH]).values(
            "id", "pseudonym"
        )
        ids.update({str(r["pseudonym"]): int(r["id"]) for r in rows})
    return ids


async def _imported_pks() -> set[int]:
    rows = await Interaction.filter(kind=InteractionKind.IMPORTED).values_list("saved", flat=True)
    pks: set[int] = set()
    for saved in rows:
        if isinstance(saved, dict) and isinstance(saved.get("old_interaction"), int):
            pks.add(saved["old_interaction"])
    return pks

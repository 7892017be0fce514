"""Participants, one participant's timeline, interactions and answers: pages and their CSV."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.storage.dashboard import answers as answer_queries
from engine.storage.dashboard import interactions as interaction_queries
from engine.storage.dashboard import participants as participant_queries
from engine.storage.dashboard.base import NAME, Rows, moment, short
from engine.storage.dashboard.flows import STALE
from engine.storage.dashboard.interactions import InteractionFilter
from engine.storage.dashboard.participants import STATES, ParticipantFilter
from engine.storage.export import iso
from web.dashboard.common import (
    BadParameter,
    after,
    date,
    flag,
    guarded,
    include_test,
    link,
    next_link,
    page,
    services,
    stream_csv,
    text,
)

PARTICIPANT_HEADER = [
    "pseudonym",
    "channel",
    "language",
    "flow",
    "revision",
    "node",
    "ended",
    "active",
    "created_at",
    "last_seen",
]
INTERACTION_HEADER = [
    "pseudonym",
    "flow",
    "revision",
    "node_before",
    "node_after",
    "kind",
    "input_kind",
    "input_text",
    "input_media",
    "output_text",
    "received_at",
    "responded_at",
]


def participant_filter(request: Request) -> ParticipantFilter:
    variables = []
    for key, value in request.query_params.multi_items():
        if key.startswith("var."):
            name = key[4:]
            if not NAME.match(name):
                raise BadParameter(f"{key}: not a variable name")
            variables.append((name, value))
    state = text(request, "state")
    if state is not None and state not in STATES:
        raise BadParameter(f"state: one of {', '.join(STATES)}")
    return ParticipantFilter(
        flow=text(request, "flow"),
        node=text(request, "node"),
        language=text(request, "language"),
        active=flag(request, "active"),
        seen_since=date(request, "seen_since"),
        seen_until=date(request, "seen_until", end=True),
        variables=tuple(variables),
        state=state,
        revision=text(request, "revision"),
        reached_since=date(request, "reached_since"),
        reached_until=date(request, "reached_until", end=True),
        include_test=include_test(request),
    )


def _csv_link(request: Request, path: str) -> str:
    params = {k: v for k, v in request.query_params.items() if k != "after"}
    return link(path, params)


def _bool(value: Any) -> str:
    return "true" if value else "false"


def state(row: dict[str, Any], now: datetime) -> str:
    """ended, blocked (the bot), waiting (seen within STALE) or stopped (not seen since)."""
    if row["ended"]:
        return "ended"
    if not row["active"]:
        return "blocked"
    seen = moment(row["last_seen"])
    return "waiting" if seen is not None and seen >= now - STALE else "stopped"


@guarded
async def participants(request: Request) -> Response:
    f, position = participant_filter(request), after(request)
    rows = await services(request).store.read(lambda: participant_queries.page(f, position))
    now = datetime.now(UTC)
    return page(
        request,
        "participants.html",
        rows=[{**r, "state": state(r, now)} for r in rows.rows],
        next=next_link(request, rows.next_after),
        first=_csv_link(request, request.url.path) if position is not None else None,
        params=dict(request.query_params),
        variables=[f"var.{n}={v}" for n, v in f.variables],
        csv_link=_csv_link(request, "/admin/participants.csv"),
    )


@guarded
async def participants_csv(request: Request) -> Response:
    f = participant_filter(request)

    async def fetch(position: int | None) -> Rows:
        return await participant_queries.page(f, position, 1000)

    return stream_csv(
        request,
        "participants.csv",
        PARTICIPANT_HEADER,
        fetch,
        lambda r: [
            r["pseudonym"],
            r["channel"],
            r["language"],
            r["flow"],
            r["revision"],
            r["node"],
            _bool(r["ended"]),
            _bool(r["active"]),
            iso(r["created_at"]),
            iso(r["last_seen"]),
        ],
    )


def _output(value: Any) -> str:
    messages = json.loads(value) if isinstance(value, str | bytes) else (value or [])
    texts = []
    for message in messages:
        if isinstance(message, dict):
            texts.append(str(message.get("text") or f"[{message.get('media_kind') or 'media'}]"))
    return "\n".join(texts)


def _saved(value: Any) -> str:
    saved = json.loads(value) if isinstance(value, str | bytes) else (value or {})
    return json.dumps(saved, ensure_ascii=False) if saved else ""


@guarded
async def participant(request: Request) -> Response:
    pseudonym = request.path_params["pseudonym"]
    position = after(request)
    found = await services(request).store.read(
        lambda: participant_queries.timeline(pseudonym, position)
    )
    if found.participant is None:
        return page(request, "missing.html", 404, what="that participant")
    variables = found.participant["variables"]
    shown = json.loads(variables) if isinstance(variables, str | bytes) else (variables or {})
    return page(
        request,
        "participant.html",
        who=found.participant,
        variables=shown,
        rows=[
            {
                **r,
                "out": short(_output(r["output"]), 160),
                "in": short(r["input_text"], 160),
                "saved_text": _saved(r["saved"]),
            }
            for r in found.interactions.rows
        ],
        next=next_link(request, found.interactions.next_after),
        csv_link=f"/admin/participants/{pseudonym}.csv",
    )


@guarded
async def participant_csv(request: Request) -> Response:
    pseudonym = request.path_params["pseudonym"]

    async def fetch(position: int | None) -> Rows:
        found = await participant_queries.timeline(pseudonym, position, 1000)
        for row in found.interactions.rows:
            row["pseudonym"] = pseudonym
        return found.interactions

    return stream_csv(
        request, f"participant-{pseudonym[:12]}.csv", INTERACTION_HEADER, fetch, _interaction_cells
    )


def _interaction_cells(r: dict[str, Any]) -> list[Any]:
    return [
        r["pseudonym"],
        r["flow"],
        r["revision"],
        r["node_before"],
        r["node_after"],
        r["kind"],
        r["input_kind"],
        r["input_text"],
        r["input_media"],
        _output(r["output"]),
        iso(r["received_at"]),
        iso(r.get("responded_at")),
    ]


def interaction_filter(request: Request) -> InteractionFilter:
    return InteractionFilter(
        flow=text(request, "flow"),
        node=text(request, "node"),
        kind=text(request, "kind"),
        since=date(request, "since"),
        until=date(request, "until", end=True),
        q=text(request, "q"),
        include_test=include_test(request),
    )


@guarded
async def interactions(request: Request) -> Response:
    f, position = interaction_filter(request), after(request)
    rows = await services(request).store.read(lambda: interaction_queries.page(f, position))
    return page(
        request,
        "interactions.html",
        rows=[
            {**r, "out": short(_output(r["output"]), 160), "in": short(r["input_text"], 160)}
            for r in rows.rows
        ],
        next=next_link(request, rows.next_after),
        searched_to=rows.searched_to,
        params=dict(request.query_params),
        csv_link=_csv_link(request, "/admin/interactions.csv"),
    )


@guarded
async def interactions_csv(request: Request) -> Response:
    f = interaction_filter(request)

    async def fetch(position: int | None) -> Rows:
        return await interaction_queries.page(f, position, 1000)

    return stream_csv(request, "interactions.csv", INTERACTION_HEADER, fetch, _interaction_cells)


def flow_variables(request: Request, flow_id: str) -> list[str] | None:
    """The variables the running flow saves (its asks' save_as), in the flow's order."""
    flow = services(request).flows.library.flows.get(flow_id)
    if flow is None:
        return None
    names: list[str] = []
    for node in flow.nodes.values():
        if node.ask is not None and node.ask.save_as not in names:
            names.append(node.ask.save_as)
    return names


@guarded
async def answers(request: Request) -> Response:
    flow_id = request.path_params["flow"]
    names = flow_variables(request, flow_id)
    if names is None:
        return page(request, "missing.html", 404, what=f"flow {flow_id!r}")
    position, test = after(request), include_test(request)
    rows = await services(request).store.read(
        lambda: answer_queries.page(flow_id, names, position, include_test=test)
    )
    return page(
        request,
        "answers.html",
        flow_id=flow_id,
        names=names,
        rows=rows.rows,
        next=next_link(request, rows.next_after),
        flows=sorted(services(request).flows.library.flows),
        csv_link=_csv_link(request, f"/admin/answers/{flow_id}.csv"),
    )


@guarded
async def answers_csv(request: Request) -> Response:
    flow_id = request.path_params["flow"]
    names = flow_variables(request, flow_id) or []
    test = include_test(request)

    async def fetch(position: int | None) -> Rows:
        return await answer_queries.page(flow_id, names, position, 1000, include_test=test)

    return stream_csv(
        request,
        f"answers-{flow_id}.csv",
        ["pseudonym", *names],
        fetch,
        lambda r: [r["pseudonym"], *(r["values"][n] for n in names)],
    )

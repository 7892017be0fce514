"""The overview, the flows list and one flow: its diagram with the funnel, revisions, diffs."""

from __future__ import annotations

import asyncio
import functools
import itertools
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.authoring.diff import diff_flows
from engine.authoring.graph import RendererMissing, edges, node_kind, to_svg
from engine.core.flow import Flow, flow_from_document
from engine.storage.dashboard import flows as queries
from engine.storage.dashboard import overview as overview_queries
from engine.storage.dashboard import summary
from engine.storage.dashboard.base import Rows
from web.dashboard import chart
from web.dashboard.common import (
    date,
    guarded,
    include_test,
    link,
    page,
    services,
    stream_csv,
    text,
)

HISTORY = 20
"""Revisions shown (with their diffs) on a flow page."""


@guarded
async def overview(request: Request) -> Response:
    store, test = services(request).store, include_test(request)
    await store.read(summary.catch_up)
    numbers = await store.read(lambda: overview_queries.overview(test))
    flows = await store.read(lambda: queries.flow_rows(test))
    total = sum(n for _, n in numbers.days)
    return page(
        request,
        "overview.html",
        numbers=numbers,
        flows=flows,
        chart=chart.bars(numbers.days),
        total=total,
        include_test=test,
    )


@guarded
async def flow_list(request: Request) -> Response:
    test = include_test(request)
    flows = await services(request).store.read(lambda: queries.flow_rows(test))
    live = services(request).flows.library.flows
    return page(request, "flows.html", flows=flows, live=live, include_test=test)


@guarded
async def flow_list_csv(request: Request) -> Response:
    test = include_test(request)
    flows = await services(request).store.read(lambda: queries.flow_rows(test))

    async def fetch(_after: int | None) -> Rows:
        return Rows([vars(f) for f in flows])

    header = ["flow", "revisions", "latest_revision", "latest_seen", "participants"]
    return stream_csv(
        request,
        "flows.csv",
        header,
        fetch,
        lambda r: [
            r["flow"],
            r["revisions"],
            r["latest"],
            r["latest_seen"] and r["latest_seen"].isoformat(),
            r["participants"],
        ],
    )


async def _flow(request: Request, flow_id: str, revision: str | None) -> Flow | None:
    """The flow's definition: the chosen revision as recorded, else the running one, else the
    newest recorded."""
    store = services(request).store
    live = services(request).flows.library.flows.get(flow_id)
    if revision is None or (live is not None and live.revision == revision):
        if live is not None:
            return live
        history = await store.read(lambda: queries.revisions(flow_id))
        if not history:
            return None
        revision = history[0].sha256
    chosen = revision
    source = await store.read(lambda: queries.revision_source(flow_id, chosen))
    return flow_from_document(source) if source is not None else None


_drawn: dict[tuple[Any, ...], str] = {}


def _svg(flow: Flow, notes: tuple[tuple[str, str], ...], links: tuple[tuple[str, str], ...]) -> str:
    """The diagram laid out by Graphviz, remembered while the counts stay the same."""
    key = (flow.id, flow.revision, notes, links)
    if key not in _drawn:
        svg = to_svg(flow, dict(notes), dict(links))
        if len(_drawn) >= 64:
            _drawn.pop(next(iter(_drawn)))
        _drawn[key] = svg[svg.index("<svg") :]
    return _drawn[key]


def _filters(request: Request) -> dict[str, Any]:
    return {
        "revision": text(request, "revision"),
        "since": date(request, "since"),
        "until": date(request, "until", end=True),
        "include_test": include_test(request),
    }


def count_links(flow: str, node: str, request: Request) -> dict[str, str]:
    """Where each of a node's numbers leads: those participants, with the same choices."""
    base = {
        "flow": flow,
        "node": node,
        "revision": text(request, "revision"),
        "include_test": "1" if include_test(request) else None,
    }
    since, until = text(request, "since"), text(request, "until")
    path = "/admin/participants/"
    return {
        "reached": link(
            path, {**base, "state": "reached", "reached_since": since, "reached_until": until}
        ),
        **{
            state: link(path, {**base, "state": state, "seen_since": since, "seen_until": until})
            for state in ("waiting", "stopped", "ended")
        },
    }


@guarded
async def flow_page(request: Request) -> Response:
    flow_id = request.path_params["flow"]
    store, f = services(request).store, _filters(request)
    flow = await _flow(request, flow_id, f["revision"])
    history = await store.read(lambda: queries.revisions(flow_id))
    if flow is None and not history:
        return page(request, "missing.html", 404, what=f"flow {flow_id!r}")
    await store.read(summary.catch_up)
    funnel = await store.read(lambda: queries.funnel(flow_id, **f))
    nodes = list(flow.nodes) if flow is not None else []
    nodes += sorted(n for n in funnel.nodes if n not in nodes)
    rows: list[dict[str, Any]] = [
        {
            "passing": _passing(flow, n),
            "node": n,
            "kind": node_kind(flow.nodes[n])
            if flow and n in flow.nodes
            else "(not in this revision)",
            "counts": funnel.at(n),
            "links": count_links(flow_id, n, request),
        }
        for n in nodes
    ]
    diagram, problem = "", ""
    if flow is not None:
        drawn = [r for r in rows if r["node"] in flow.nodes]
        notes = tuple((r["node"], _note(r["counts"], r["passing"])) for r in drawn)
        links = tuple((r["node"], r["links"]["reached"]) for r in drawn)
        try:
            diagram = await asyncio.to_thread(_svg, flow, notes, links)
        except RendererMissing as error:
            problem = str(error)
    changes = await _history(request, flow_id, history[:HISTORY])
    return page(
        request,
        "flow.html",
        flow_id=flow_id,
        flow=flow,
        edges=len(edges(flow)) if flow else 0,
        rows=rows,
        diagram=diagram,
        problem=problem,
        history=history,
        changes=changes,
        chosen=f,
        raw={k: text(request, k) or "" for k in ("revision", "since", "until")},
        csv_link=link(f"/admin/flows/{flow_id}.csv", dict(request.query_params)),
    )


def _passing(flow: Flow | None, node: str) -> bool:
    """A node passed through within a turn (next, branch): nobody waits or stops there; its
    reached count is inferred from the flow (engine.storage.dashboard.passage)."""
    if flow is None or node not in flow.nodes:
        return False
    return node_kind(flow.nodes[node]) in ("next", "branch")


def _note(counts: queries.NodeCounts, passing: bool = False) -> str:
    if passing:
        return f"passed through by {counts.reached}"
    note = f"reached {counts.reached} · waiting {counts.waiting} · stopped {counts.stopped}"
    return note + (f" · ended {counts.ended}" if counts.ended else "")


async def _history(
    request: Request, flow_id: str, history: list[queries.Revision]
) -> dict[str, list[Any]]:
    """Each shown revision's changes from the one before it (sha256 -> node changes)."""
    store = services(request).store
    sources: dict[str, Any] = {}
    for revision in history:
        read = functools.partial(queries.revision_source, flow_id, revision.sha256)
        sources[revision.sha256] = await store.read(read)
    changes: dict[str, list[Any]] = {}
    for newer, older in itertools.pairwise(history):
        old, new = sources.get(older.sha256), sources.get(newer.sha256)
        if old is not None and new is not None:
            changes[newer.sha256] = diff_flows(old, new)
    return changes


@guarded
async def flow_csv(request: Request) -> Response:
    flow_id = request.path_params["flow"]
    store, f = services(request).store, _filters(request)
    await store.read(summary.catch_up)
    funnel = await store.read(lambda: queries.funnel(flow_id, **f))

    async def fetch(_after: int | None) -> Rows:
        return Rows([{"node": n, **vars(c)} for n, c in funnel.nodes.items()])

    return stream_csv(
        request,
        f"funnel-{flow_id}.csv",
        ["flow", "node", "reached", "waiting", "stopped", "ended"],
        fetch,
        lambda r: [flow_id, r["node"], r["reached"], r["waiting"], r["stopped"], r["ended"]],
    )

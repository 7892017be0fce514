"""The Starlette app: Telegram's webhook, the simulator, health and metrics, the dashboard."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from prometheus_client import generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from engine.service.wiring import Services
from web import simulator
from web.dashboard.routes import routes as dashboard_routes
from web.webhook import webhook

STATIC = Path(__file__).parent / "static"
STALE_REPLY = 60.0
"""Seconds a reply may wait unsent before /healthz says degraded."""


async def healthz(request: Request) -> Response:
    services: Services = request.app.state.services
    services.flows.current()  # notices an edited flow file, even with no traffic
    library = services.flows.library
    problems = services.flows.problems
    backlog = await services.outbox_backlog()
    late = backlog is not None and backlog[1] > STALE_REPLY
    body: dict[str, object] = {}
    if backlog is not None:
        body["outbox"] = {"unsent": backlog[0], "oldest_seconds": round(backlog[1], 1)}
    return JSONResponse(
        {
            # degraded: a flow edit was refused (the last good revision keeps running), or a
            # reply has waited more than a minute to be sent
            "status": "degraded" if problems or late else "ok",
            "flow_errors": problems,
            **body,
            "flows": {fid: flow.revision[:12] for fid, flow in library.flows.items()},
            "main": library.main,
            "telegram": services.outbox is not None,
        }
    )


async def metrics(request: Request) -> Response:
    services: Services = request.app.state.services
    if services.job_metrics is not None:
        await services.job_metrics.refresh()
    await services.outbox_backlog()
    return Response(
        generate_latest(services.metrics.registry), media_type="text/plain; version=0.0.4"
    )


async def root(request: Request) -> Response:
    return RedirectResponse("/simulator")


def create_app(services: Services) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.start()
        try:
            yield
        finally:
            await services.stop()

    routes = [
        Route("/", root),
        Route("/bot/", webhook, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/metrics", metrics),
        *dashboard_routes(),
        *simulator.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = services
    return app

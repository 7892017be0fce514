"""The web simulator's routes: a designer chats with the flows in a browser and sees the machine.

Mounted when no Telegram token is set (a development and design tool, not for the public). The
engine side (participants on channel "simulator", state, transcript, media) is
`engine.channels.simulator`; these handlers only speak HTTP.

GET  /simulator                  the page
GET  /simulator/flows            the picker: flows, entry points, languages; the flows' problems
GET  /simulator/state?session=S  the participant's state and transcript (a reload;
                                 transcript=0: the state only)
POST /simulator/send             {session, text | button | media}
POST /simulator/start            {session, flow, entry, language}
POST /simulator/timeout          {session}: fire the waiting node's timeout now
GET  /simulator/media/PATH       a local media file a flow names (a preview)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.channels.simulator import Simulator, SimulatorError, session_of

if TYPE_CHECKING:
    from engine.service.wiring import Services

PAGE = Path(__file__).parent / "static" / "simulator.html"
OFF = "The simulator is off while a Telegram token is set.\n"
Handler = Callable[[Request], Awaitable[Response]]


def _simulator(request: Request) -> Simulator | None:
    services: Services = request.app.state.services
    if services.telegram is not None:
        return None
    simulator: Simulator | None = getattr(request.app.state, "simulator", None)
    if simulator is None:
        simulator = Simulator(services.store, services.flows, services.settings.flows_dir)
        request.app.state.simulator = simulator
    return simulator


def _api(work: Callable[[Simulator, Request], Awaitable[Any]]) -> Handler:
    """A JSON endpoint: 404 while a token is set, the simulator's refusals as 4xx."""

    async def handler(request: Request) -> Response:
        simulator = _simulator(request)
        if simulator is None:
            return JSONResponse({"error": "simulator is off"}, status_code=404)
        try:
            return JSONResponse(await work(simulator, request))
        except SimulatorError as error:
            return JSONResponse({"error": error.message}, status_code=error.status)

    return handler


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SimulatorError("malformed JSON") from None
    if not isinstance(data, dict):
        raise SimulatorError("send a JSON object")
    return data


async def _send(simulator: Simulator, request: Request) -> dict[str, Any]:
    data = await _body(request)
    return await simulator.send(session_of(data), data)


async def _start(simulator: Simulator, request: Request) -> dict[str, Any]:
    data = await _body(request)
    return await simulator.start(session_of(data), data)


async def _timeout(simulator: Simulator, request: Request) -> dict[str, Any]:
    return await simulator.timeout(session_of(await _body(request)))


async def _state(simulator: Simulator, request: Request) -> dict[str, Any]:
    session = session_of(request.query_params.get("session"))
    return await simulator.state(session, transcript=request.query_params.get("transcript") != "0")


async def _flows(simulator: Simulator, request: Request) -> dict[str, Any]:
    return simulator.picker()


async def page(request: Request) -> Response:
    if _simulator(request) is None:
        return Response(OFF, status_code=404)
    return FileResponse(PAGE, media_type="text/html")


async def media(request: Request) -> Response:
    simulator = _simulator(request)
    if simulator is None:
        return Response(OFF, status_code=404)
    path = simulator.media().file(request.path_params["path"])
    if path is None:
        return Response("No such media file in the flows.\n", status_code=404)
    return FileResponse(
        path, headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/simulator", page),
        Route("/simulator/flows", _api(_flows)),
        Route("/simulator/state", _api(_state)),
        Route("/simulator/send", _api(_send), methods=["POST"]),
        Route("/simulator/start", _api(_start), methods=["POST"]),
        Route("/simulator/timeout", _api(_timeout), methods=["POST"]),
        Route("/simulator/media/{path:path}", media),
    ]

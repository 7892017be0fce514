"""The web simulator: a designer chats with the flows in a browser (channel "web").

Mounted when no Telegram token is set (a development and design tool, not for the public).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.channels.simulator import message_json, simulator_event

if TYPE_CHECKING:
    from engine.service.wiring import Services

log = logging.getLogger("clixchat.simulator")
PAGE = Path(__file__).parent / "static" / "simulator.html"


async def page(request: Request) -> Response:
    services: Services = request.app.state.services
    if services.telegram is not None:
        return Response("The simulator is off while a Telegram token is set.\n", status_code=404)
    return FileResponse(PAGE, media_type="text/html")


async def send(request: Request) -> Response:
    services: Services = request.app.state.services
    if services.telegram is not None:
        return JSONResponse({"error": "simulator is off"}, status_code=404)
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "malformed JSON"}, status_code=400)
    session = data.get("session") if isinstance(data, dict) else None
    event = simulator_event(data) if isinstance(data, dict) else None
    if not isinstance(session, str) or not 8 <= len(session) <= 64 or event is None:
        return JSONResponse(
            {"error": "send {session: 8-64 chars, text | button | media}"}, status_code=400
        )
    delivery = await services.store.handle("web", event, user_id=session)
    turn = delivery.turn
    if turn is None:
        return JSONResponse({"messages": []})
    return JSONResponse(
        {
            "kind": turn.kind,
            "node": turn.after,
            "messages": [message_json(m) for m in turn.messages],
        }
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/simulator", page),
        Route("/simulator/send", send, methods=["POST"]),
    ]

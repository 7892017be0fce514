"""The web simulator: a designer chats with the flows in a browser (channel "web").

Mounted when no Telegram token is set (a development and design tool, not for the public).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.events import Inbound, Outbound

if TYPE_CHECKING:
    from web.app import Services

log = logging.getLogger("clixchat.simulator")
PAGE = Path(__file__).parent / "static" / "simulator.html"
MAX_INPUT = 4096


def message_json(message: Outbound) -> dict[str, Any]:
    return {
        "text": message.text,
        "media_kind": message.media_kind,
        "media": message.media if message.media and "://" in message.media else None,
        "keyboard": message.keyboard,
        "buttons": [
            [{"label": b.label, "data": b.data, "request": b.request} for b in row]
            for row in message.buttons
        ],
    }


async def page(request: Request) -> Response:
    services: Services = request.app.state.services
    if services.outbox is not None:
        return Response("The simulator is off while a Telegram token is set.\n", status_code=404)
    return FileResponse(PAGE, media_type="text/html")


def _event(data: dict[str, Any]) -> Inbound | None:
    language = data.get("language") if isinstance(data.get("language"), str) else None
    if isinstance(data.get("button"), str):
        return Inbound.button(data["button"][:64], language)
    if isinstance(data.get("text"), str) and data["text"].strip():
        return Inbound.message(data["text"][:MAX_INPUT], language)
    if data.get("media") in ("photo", "document", "voice", "sticker"):
        return Inbound.attachment(str(data["media"]), f"simulator-{data['media']}", language)
    if data.get("media") == "location":
        return Inbound.attachment("location", {"lat": 19.07, "lon": 72.87}, language)
    return None


async def send(request: Request) -> Response:
    services: Services = request.app.state.services
    if services.outbox is not None:
        return JSONResponse({"error": "simulator is off"}, status_code=404)
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JSONResponse({"error": "malformed JSON"}, status_code=400)
    session = data.get("session") if isinstance(data, dict) else None
    event = _event(data) if isinstance(data, dict) else None
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

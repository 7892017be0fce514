"""`POST /bot/`: Telegram's webhook. Checks the secret, answers fast, never waits on the Bot API."""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiogram.types import Update
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from engine.telegram.replies import call_for, webhook_answer
from engine.telegram.updates import interpret

if TYPE_CHECKING:
    from web.app import Services

log = logging.getLogger("clixchat.webhook")

MAX_BODY = 1 << 20
"""Telegram's updates are far smaller; anything over 1 MiB is refused."""
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def _read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            return None
    return bytes(body)


def _bad(services: Services, reason: str) -> Response:
    services.metrics.updates.labels(reason).inc()
    log.warning("webhook: refused a request: %s", reason)
    return PlainTextResponse(reason, status_code=400)


async def webhook(request: Request) -> Response:
    services: Services = request.app.state.services
    started = time.perf_counter()
    if services.outbox is None:  # no Telegram token: there is no webhook to serve
        return PlainTextResponse("no Telegram token is configured", status_code=404)
    secret = services.settings.webhook_secret
    if secret is not None:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            services.metrics.updates.labels("unauthorized").inc()
            log.warning("webhook: wrong or missing secret token")
            return PlainTextResponse("unauthorized", status_code=401)
    body = await _read_body(request)
    if body is None:
        return _bad(services, "body too large")
    try:
        data: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad(services, "malformed JSON")
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return _bad(services, "not an update (no integer update_id)")
    try:
        update = Update.model_validate(data)
    except ValidationError as error:
        services.metrics.updates.labels("unparsed").inc()
        log.warning(
            "webhook: update %d not understood (%d field errors); ignored",
            data["update_id"],
            error.error_count(),
        )
        return Response(status_code=200)
    answer = await handle_update(services, update, inline_ok=True)
    services.metrics.latency.observe(time.perf_counter() - started)
    return JSONResponse(answer) if answer is not None else Response(status_code=200)


async def handle_update(
    services: Services, update: Update, inline_ok: bool = False
) -> dict[str, Any] | None:
    """Process one parsed update durably and queue its replies.

    With inline_ok, a single reply may instead be returned, to ride in the webhook's response body
    (Telegram performs it), when nothing else is queued for that chat.
    """
    incoming = interpret(update)
    outbox = services.outbox
    if incoming.callback_query_id is not None and outbox is not None:
        outbox.answer_callback(incoming.callback_query_id)
    if incoming.active is not None and incoming.user_id is not None:
        await services.store.set_active("telegram", incoming.user_id, incoming.active)
        services.metrics.updates.labels("membership").inc()
        return None
    if incoming.event is None or incoming.user_id is None or incoming.chat_id is None:
        services.metrics.updates.labels(incoming.ignored or "ignored").inc()
        return None
    if incoming.is_group and not services.flows.library.main_flow.allow_groups:
        services.metrics.updates.labels("group").inc()
        return None
    delivery = await services.store.handle(
        "telegram",
        incoming.event,
        user_id=incoming.user_id,
        chat_id=incoming.chat_id,
        update_id=incoming.update_id,
    )
    if delivery.duplicate or delivery.turn is None:
        services.metrics.updates.labels("duplicate").inc()
        return None
    services.metrics.updates.labels("processed").inc()
    services.metrics.events.labels(delivery.turn.kind or "none").inc()
    messages = delivery.turn.messages
    if not messages or outbox is None:
        return None
    calls = [call_for(incoming.chat_id, m, outbox.file_ids) for m in messages]
    if (
        inline_ok
        and len(calls) == 1
        and not outbox.pending(incoming.chat_id)
        and not incoming.is_group
    ):
        body = webhook_answer(calls[0])
        if body is not None and outbox.take_inline_slot(incoming.chat_id):
            services.metrics.sends.labels("in_response").inc()
            return body
    outbox.enqueue(incoming.chat_id, calls, pseudonym=delivery.pseudonym, group=incoming.is_group)
    return None

"""`POST /bot/`: Telegram's webhook. Checks the secret, answers fast, never waits on the Bot API."""

from __future__ import annotations

import hmac
import logging
import time
from typing import TYPE_CHECKING, Any

from aiogram.types import Update
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from engine.channels.telegram.intake import RefusedBody, read_update
from engine.storage.db import is_database_failure

if TYPE_CHECKING:
    from engine.service.wiring import Services

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
    telegram = services.telegram
    if telegram is None:  # no Telegram token: there is no webhook to serve
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
        clean = read_update(body)
    except RefusedBody as refused:
        return _bad(services, str(refused))
    data: dict[str, Any] = clean.data
    if clean.cleaned:
        services.metrics.updates.labels("cleaned").inc()
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
    try:
        answer = await telegram.handle(update, inline_ok=True)
    except Exception as error:
        # Only the error's class: a database error's text can quote what a participant typed.
        if is_database_failure(error):  # Telegram delivers it again once the database is back
            services.metrics.updates.labels("failed").inc()
            log.error(
                "webhook: update %d not stored (%s); Telegram will deliver it again",
                update.update_id,
                type(error).__name__,
            )
            return PlainTextResponse("not stored; try again", status_code=500)
        # Anything else would fail again on every redelivery and hold up the updates behind it.
        services.metrics.updates.labels("dropped").inc()
        log.error(
            "webhook: update %d dropped: the engine failed on it (%s)",
            update.update_id,
            type(error).__name__,
        )
        return Response(status_code=200)
    services.metrics.latency.observe(time.perf_counter() - started)
    return JSONResponse(answer) if answer is not None else Response(status_code=200)

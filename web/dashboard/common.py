"""What the dashboard's pages share: query parameters, links that keep filters, streamed CSV."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from engine.service.wiring import Services
from engine.storage.dashboard.base import Rows
from engine.storage.export import iso, parse_date
from web.dashboard import auth

CSV_PAGE = 1000


class BadParameter(ValueError):
    pass


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value or None


def flag(request: Request, name: str) -> bool | None:
    value = text(request, name)
    if value is None:
        return None
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise BadParameter(f"{name}: expected 1 or 0, got {value!r}")


def include_test(request: Request) -> bool:
    return flag(request, "include_test") is True


def date(request: Request, name: str, end: bool = False) -> datetime | None:
    value = text(request, name)
    if value is None:
        return None
    try:
        return parse_date(value, end=end)
    except ValueError as error:
        raise BadParameter(f"{name}: {error}") from None


def after(request: Request) -> int | None:
    value = text(request, "after")
    if value is None:
        return None
    if not value.isdigit():
        raise BadParameter("after: expected a number")
    return int(value)


def link(path: str, params: dict[str, Any]) -> str:
    """`path` with the parameters that have a value."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


def next_link(request: Request, position: int | None) -> str | None:
    if position is None:
        return None
    params = dict(request.query_params)
    params["after"] = str(position)
    return link(request.url.path, params)


def when(value: Any) -> str:
    """A stored time as 2026-12-04 05:12 UTC (minutes), or empty."""
    shown = iso(value)
    return f"{shown[:10]} {shown[11:16]}" if shown else ""


def bad_request(request: Request, error: BadParameter) -> Response:
    return auth.secure(request, PlainTextResponse(str(error), status_code=400))


def guarded(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A bad query parameter answers 400 with what was wrong."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except BadParameter as error:
            return bad_request(request, error)

    return run


def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    return auth.render(
        request,
        template,
        status,
        role=getattr(request.state, "role", None),
        path=request.url.path,
        when=when,
        **context,
    )


def stream_csv(
    request: Request,
    filename: str,
    header: Sequence[str],
    fetch: Callable[[int | None], Awaitable[Rows]],
    cells: Callable[[dict[str, Any]], Iterable[Any]],
) -> Response:
    """UTF-8 with a BOM, the header, then the rows page by page (keyset), never all in memory."""
    store = services(request).store

    async def body() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        yield "\ufeff" + buffer.getvalue()
        position: int | None = None
        while True:
            rows = await store.read(functools.partial(fetch, position))
            buffer.seek(0)
            buffer.truncate()
            for row in rows.rows:
                writer.writerow(["" if c is None else c for c in cells(row)])
            yield buffer.getvalue()
            if rows.next_after is None:
                return
            position = rows.next_after

    response = StreamingResponse(body(), media_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return auth.secure(request, response)

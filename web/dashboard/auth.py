"""Dashboard login: signed session cookie, CSRF token, throttling, security headers."""

from __future__ import annotations

import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from engine.storage import accounts

COOKIE = "clixchat_session"
MAX_AGE = 12 * 3600
FAILURES_ALLOWED = 5
LOCKOUT_SECONDS = 300
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
    autoescape=select_autoescape(),
)
_failures: dict[str, list[float]] = {}

Handler = Callable[[Request], Awaitable[Response]]


def _serializer(request: Request) -> URLSafeTimedSerializer:
    from engine.service.secret import local_secret

    secret = local_secret(request.app.state.services.settings)
    return URLSafeTimedSerializer(str(secret), salt="clixchat-dashboard-session")


def _https(request: Request) -> bool:
    url = request.app.state.services.settings.public_url or ""
    return str(url).startswith("https://")


def session(request: Request) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def secure(request: Request, response: Response) -> Response:
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    )
    response.headers["Content-Security-Policy"] = csp
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if _https(request):
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _store(request: Request, response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(data),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=_https(request),
        path="/admin",
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    html = TEMPLATES.get_template(template).render(session=session(request), **context)
    return secure(request, HTMLResponse(html, status_code=status))


async def login_page(request: Request) -> Response:
    data = session(request)
    token = data.get("csrf") or secrets.token_urlsafe(24)
    if request.method == "GET":
        response = render(request, "login.html", csrf=token, error=None)
        _store(request, response, {"csrf": token})
        return response
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    if not data.get("csrf") or not secrets.compare_digest(
        str(form.get("csrf", "")), str(data["csrf"])
    ):
        return secure(request, PlainTextResponse("bad or missing CSRF token", status_code=403))
    client = request.client.host if request.client else "?"
    now = time.monotonic()
    recent = [t for t in _failures.get(client, []) if now - t < LOCKOUT_SECONDS]
    _failures[client] = recent
    if len(recent) >= FAILURES_ALLOWED:
        response = render(
            request, "login.html", 429, csrf=token, error="Too many attempts; wait 5 minutes."
        )
        return response
    found = await request.app.state.services.store.read(
        lambda: accounts.authenticate(username, password)
    )
    if found is None:
        recent.append(now)
        return render(request, "login.html", 401, csrf=token, error="Wrong username or password.")
    _failures.pop(client, None)
    response = secure(request, RedirectResponse("/admin/", status_code=303))
    _store(request, response, {"user": found.username, "csrf": secrets.token_urlsafe(24)})
    return response


async def logout(request: Request) -> Response:
    data = session(request)
    form = await request.form()
    if not data.get("csrf") or not secrets.compare_digest(
        str(form.get("csrf", "")), str(data["csrf"])
    ):
        return secure(request, PlainTextResponse("bad or missing CSRF token", status_code=403))
    response = secure(request, RedirectResponse("/admin/login", status_code=303))
    response.delete_cookie(COOKIE, path="/admin")
    return response


def login_required(handler: Handler, admin_only: bool = False) -> Handler:
    """No page without login: a page redirects (303) to the login, a .csv answers 401."""

    async def guarded(request: Request) -> Response:
        user = session(request).get("user")
        store = request.app.state.services.store
        role = await store.read(lambda: accounts.role_of(str(user))) if user else None
        if role is None:
            if request.url.path.endswith(".csv"):
                return secure(request, PlainTextResponse("login required", status_code=401))
            return secure(request, RedirectResponse("/admin/login", status_code=303))
        if admin_only and role != "admin":
            return secure(request, PlainTextResponse("admins only", status_code=403))
        request.state.user, request.state.role = user, role
        return await handler(request)

    return guarded

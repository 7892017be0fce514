"""The ASGI entry point uvicorn imports (`web.asgi:create`, a factory) for `clixchat serve`."""

from __future__ import annotations

from starlette.applications import Starlette

from engine.service.logs import configure_logging
from engine.service.settings import load_settings
from engine.service.wiring import build_services
from web.app import create_app


def create() -> Starlette:
    configure_logging()
    return create_app(build_services(load_settings()))

"""The ASGI entry point uvicorn imports (`web.asgi:create`, a factory) for `clixchat serve`."""

from __future__ import annotations

from starlette.applications import Starlette

from engine.serve import build_services
from engine.settings import load_settings
from web.app import create_app


def create() -> Starlette:
    return create_app(build_services(load_settings()))

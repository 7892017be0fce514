from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.core.conversation import Conversation
from engine.core.flow import Flow, flow_from_document
from engine.core.runtime import Runtime

FIXTURES = Path(__file__).parent / "fixtures"


def load_flow(name: str) -> Flow:
    path = FIXTURES / name
    return flow_from_document(json.loads(path.read_text(encoding="utf-8")), path)


def make_flow(nodes: dict[str, Any], **top: Any) -> Flow:
    """A small flow document built inline for one test."""
    document: dict[str, Any] = {"flow": "t", "languages": ["en"], "start": "start", "nodes": nodes}
    document.update(top)
    return flow_from_document(document)


@pytest.fixture
def helpdesk() -> Runtime:
    flow = load_flow("helpdesk.json")
    return Runtime({flow.id: flow}, flow.id)


@pytest.fixture
def conv() -> Conversation:
    return Conversation()


from tests.support.db import database, store  # noqa: E402, F401

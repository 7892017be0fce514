"""No input makes the webhook answer 5xx, log a traceback, or log what a participant typed.

Regression: lone UTF-16 surrogates in text, an `update_id` outside 64 bits and deeply nested JSON
gave 500s, which Telegram redelivers for ever, holding up every later update.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.service.settings import load_settings
from engine.service.wiring import build_services
from tests.e2e.stack import SECRET, TOKEN, flow_dir
from tests.support import updates as u
from tests.support.botapi_double import BotApiDouble
from web.app import create_app

MARKER = "ZQX"
"""Every generated text carries it; it must never reach a log line."""
EXAMPLES = int(os.environ.get("CLIXCHAT_FUZZ_EXAMPLES", "10000"))

texts = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()),  # surrogates, RTL marks, emoji
    max_size=40,
).map(lambda t: MARKER + t)
integers = st.one_of(
    st.integers(-(2**31), 2**31),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 2**64]),
)
leaves = st.one_of(st.none(), st.booleans(), integers, st.floats(), texts)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)

BASES: list[Callable[[int], dict[str, Any]]] = [
    lambda i: u.command(i, 7001, "/start"),
    lambda i: u.message(i, 7002, "Modules"),
    lambda i: u.message(i, 7003, "Feedback"),
    lambda i: u.callback_query(i, 7004, "abc:1"),
    lambda i: u.sticker(i, 7005),
    lambda i: u.location(i, 7006, 19.07, 72.87),
    lambda i: u.contact(i, 7007, "+919876543210"),
    lambda i: u.photo(i, 7008),
    lambda i: u.my_chat_member(i, 7009, status="kicked"),
    lambda i: u.group_message(i, 7010, "hi"),
]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = _replace(node[head], rest, value)
    return copy


@st.composite
def mutated_updates(draw: st.DrawFn) -> bytes:
    update = draw(st.sampled_from(BASES))(draw(st.integers(1, 2**40)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(update)
        path = draw(st.sampled_from(paths[1:] or paths))
        update = _replace(update, path, draw(st.one_of(values, texts)))
    if draw(st.booleans()):
        update["update_id"] = draw(integers)
    body = json.dumps(update, ensure_ascii=True, allow_nan=True)
    if draw(st.integers(0, 9)) == 0:  # a value nested 20 to 5,000 deep in place of the text
        depth = draw(st.integers(20, 5000))
        nested = "[" * depth + "1" + "]" * depth
        body = body.replace('"text": ', f'"text": {nested}, "x": ', 1)
    return body.encode()


@pytest.mark.timeout(900)
def test_fuzzed_updates_never_get_a_5xx_a_traceback_or_a_logged_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    loop = asyncio.new_event_loop()
    with BotApiDouble(token=TOKEN, strict=False) as api:
        config = load_settings(
            {
                "TELEGRAM_TOKEN": TOKEN,
                "TELEGRAM_API_URL": api.url,
                "WEBHOOK_SECRET": SECRET,
                "CLIXCHAT_SECRET": "fuzz",
                "DATABASE_URL": f"sqlite://{tmp_path / 'fuzz.db'}",
                "FLOWS_DIR": str(flow_dir(tmp_path)),
                "CLIXCHAT_TIME_SCALE": "1000",
            },
            env_file=None,
        )
        services = build_services(config)
        app = create_app(services)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bot.test"
        )
        loop.run_until_complete(services.start())
        statuses: dict[int, int] = {}
        try:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(mutated_updates())
            def post(body: bytes) -> None:
                response = loop.run_until_complete(
                    client.post(
                        "/bot/",
                        content=body,
                        headers={
                            "X-Telegram-Bot-Api-Secret-Token": SECRET,
                            "Content-Type": "application/json",
                        },
                    )
                )
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code < 500, body[:200]

            random.seed(1)
            post()
        finally:
            loop.run_until_complete(services.stop())
            loop.run_until_complete(client.aclose())
            loop.close()
    print("statuses:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) >= EXAMPLES
    assert statuses.get(200, 0) > EXAMPLES // 10  # many mutated updates were still handled
    assert statuses.get(400, 0) > 0  # and the broken ones refused
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in caplog.text
    assert MARKER not in caplog.text

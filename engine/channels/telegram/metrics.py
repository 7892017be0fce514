"""Prometheus metrics: counts and timings only, never a message or an identity."""

from __future__ import annotations

import time
from collections import deque

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

RATE_WINDOW = 10.0
"""Seconds over which the send rate gauge averages."""


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "clixchat_updates_total",
            "Webhook updates by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.events = Counter(
            "clixchat_events_total", "Engine events by kind", ["kind"], registry=self.registry
        )
        self.sends = Counter(
            "clixchat_sends_total",
            "Outbox messages by outcome (sent, failed, dropped; in_response: rode in a webhook"
            " answer, unconfirmed), counted by the process that sent them",
            ["outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "clixchat_update_seconds",
            "Time from receiving an update to answering Telegram",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "clixchat_outbox_depth",
            "Messages in the outbox table not yet sent (the whole deployment's)",
            registry=self.registry,
        )
        self.outbox_oldest = Gauge(
            "clixchat_outbox_oldest_unsent_seconds",
            "Age of the oldest message not yet sent (0 when none waits)",
            registry=self.registry,
        )
        self.send_rate = Gauge(
            "clixchat_send_rate",
            f"Messages sent per second by this process, over the last {RATE_WINDOW:.0f} s",
            registry=self.registry,
        )
        self._sent_at: deque[float] = deque()

    def sent(self, outcome: str) -> None:
        """Count one outbox message's outcome (the sender's hook)."""
        self.sends.labels(outcome).inc()
        if outcome == "sent":
            self._sent_at.append(time.monotonic())

    def refresh_rate(self) -> float:
        now = time.monotonic()
        while self._sent_at and self._sent_at[0] < now - RATE_WINDOW:
            self._sent_at.popleft()
        rate = len(self._sent_at) / RATE_WINDOW
        self.send_rate.set(rate)
        return rate

"""Prometheus metrics: counts and timings only, never a message or an identity."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


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
            "clixchat_sends_total", "Bot API sends by outcome", ["outcome"], registry=self.registry
        )
        self.latency = Histogram(
            "clixchat_update_seconds",
            "Time from receiving an update to answering Telegram",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )

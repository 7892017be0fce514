"""Scheduled jobs on /metrics: each job's last run (time, outcome, duration) and the
certificate's days left, read from job_run at scrape time, so every worker reports the same
numbers whichever process runs the jobs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Gauge

from engine.service.certs import days_left
from engine.storage.job_runs import JobRuns

log = logging.getLogger("clixchat.metrics")

OUTCOMES = ("running", "ok", "warning", "failed")


class JobMetrics:
    def __init__(self, registry: CollectorRegistry, runs: JobRuns) -> None:
        self.runs = runs
        self.last_run = Gauge(
            "clixchat_job_last_run_timestamp_seconds",
            "When each scheduled job last started (Unix time)",
            ["job"],
            registry=registry,
        )
        self.last_outcome = Gauge(
            "clixchat_job_last_outcome",
            "1 for the outcome of each job's last run, 0 for the others",
            ["job", "outcome"],
            registry=registry,
        )
        self.last_duration = Gauge(
            "clixchat_job_last_duration_seconds",
            "How long each job's last finished run took",
            ["job"],
            registry=registry,
        )
        self.cert_days = Gauge(
            "clixchat_certificate_days_left",
            "Days until the checked certificate (CERT_PATH or CERT_HOST) expires, as of its"
            " last check; negative once expired. Absent until a check has read one.",
            ["certificate"],
            registry=registry,
        )

    async def refresh(self, now: datetime | None = None) -> None:
        """Read the last runs; on a database error the previous values stay (and it is logged)."""
        try:
            last = await self.runs.last_runs()
        except Exception as error:
            log.warning("job runs cannot be read for /metrics: %s", type(error).__name__)
            return
        for job, run in last.items():
            self.last_run.labels(job).set(run.started_at.timestamp())
            for outcome in OUTCOMES:
                self.last_outcome.labels(job, outcome).set(1 if run.outcome == outcome else 0)
            if run.finished_at is not None:
                seconds = (run.finished_at - run.started_at).total_seconds()
                self.last_duration.labels(job).set(seconds)
        certificate = last.get("certificates")
        found = days_left(certificate.detail, now or datetime.now(UTC)) if certificate else None
        if found is not None:
            source, left = found
            self.cert_days.clear()
            self.cert_days.labels(source).set(round(left, 2))

"""/metrics carries each scheduled job's last run and the certificate's days left."""

from __future__ import annotations

import re
import time
from pathlib import Path

from starlette.testclient import TestClient

from engine.service.settings import load_settings
from engine.service.wiring import build_services
from tests.support.certs import make_certificate
from web.app import create_app

FLOWS = Path(__file__).parents[2] / "flows"


def test_metrics_show_the_certificate_job_run_by_the_app_scheduler(tmp_path: Path) -> None:
    cert, _ = make_certificate(tmp_path, "site", 40)
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'web.db'}",
            "FLOWS_DIR": str(FLOWS),
            "CLIXCHAT_SECRET": "web-test",
            "CERT_PATH": str(cert),
            "CLIXCHAT_JOB_EVERY": "certificates=0.5",
            "CLIXCHAT_SCHEDULER_RETRY": "0.2",
        },
        env_file=None,
    )
    with TestClient(create_app(build_services(settings))) as client:
        deadline = time.monotonic() + 20
        text = ""
        while "clixchat_certificate_days_left{" not in text and time.monotonic() < deadline:
            time.sleep(0.2)
            text = client.get("/metrics").text
    days = re.search(r'^clixchat_certificate_days_left\{certificate="(.+)"\} (\S+)$', text, re.M)
    assert days is not None and days.group(1) == str(cert) and 39 < float(days.group(2)) <= 40
    assert 'clixchat_job_last_outcome{job="certificates",outcome="ok"} 1.0' in text
    assert 'clixchat_job_last_outcome{job="certificates",outcome="failed"} 0.0' in text
    stamp = re.search(
        r'^clixchat_job_last_run_timestamp_seconds\{job="certificates"\} (\S+)$', text, re.M
    )
    assert stamp is not None and abs(float(stamp.group(1)) - time.time()) < 60


def test_no_certificate_days_without_a_certificate_to_check(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite://{tmp_path / 'web.db'}",
            "FLOWS_DIR": str(FLOWS),
            "CLIXCHAT_SECRET": "web-test",
        },
        env_file=None,
    )
    with TestClient(create_app(build_services(settings))) as client:
        text = client.get("/metrics").text
    assert "clixchat_certificate_days_left{" not in text  # never a false 0 days left

"""The development settings (`make run`): links follow HOST/PORT unless SITE_URL is set; Celery always goes through a
broker, the embedded one unless CELERY_BROKER_URL is set. Each case loads the settings in a fresh interpreter with
its own environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Variables that change these settings; each case starts without them (a developer's shell or `make` may set some).
CLEARED = ("HOST", "PORT", "SITE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL", "RUN_DIR", "DEBUG")
PROGRAM = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SITE_URL", "ALLOWED_HOSTS", "RUN_HOST", "RUN_PORT", "RUN_URL", "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT",
    "CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_TASK_ALWAYS_EAGER")}, default=str))
"""


def dev_settings(**env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update(env, DJANGO_SETTINGS_MODULE="helpdesk.settings.dev")
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_by_default_links_point_at_the_default_address_and_tasks_use_the_embedded_broker(tmp_path):
    s = dev_settings(RUN_DIR=str(tmp_path))
    assert s["SITE_URL"] == s["RUN_URL"] == "http://127.0.0.1:8000"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["CELERY_BROKER_URL"] == "filesystem://localhost/"
    assert s["CELERY_BROKER_TRANSPORT"] == "helpdesk.broker:Transport"
    queue = str(tmp_path / "broker" / "queue")
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_in"] == queue
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"]["data_folder_out"] == queue


@pytest.mark.parametrize(
    "host, port, url",
    [
        ("0.0.0.0", "9000", "http://127.0.0.1:9000"),  # noqa: S104 - a wildcard bind address, reached here
        ("192.168.1.20", "8080", "http://192.168.1.20:8080"),
        ("::1", "9000", "http://[::1]:9000"),
    ],
)
def test_links_follow_the_address_make_run_serves(host, port, url):
    s = dev_settings(HOST=host, PORT=port)
    assert (s["RUN_HOST"], s["RUN_PORT"]) == (host, int(port))
    assert s["SITE_URL"] == s["RUN_URL"] == url
    assert url.split("//")[1].rsplit(":", 1)[0] in s["ALLOWED_HOSTS"]  # the link's host is served


def test_an_explicit_site_url_wins_and_an_explicit_allowed_hosts_is_kept():
    s = dev_settings(HOST="192.168.1.20", PORT="9000", SITE_URL="https://helpdesk.example.ir", ALLOWED_HOSTS="a.ir")
    assert s["SITE_URL"] == "https://helpdesk.example.ir"
    assert s["RUN_URL"] == "http://192.168.1.20:9000"
    assert s["ALLOWED_HOSTS"] == ["a.ir"]


def test_a_configured_broker_is_used_as_it_is():
    s = dev_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert s["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert s["CELERY_BROKER_TRANSPORT"] is None
    assert s["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"visibility_timeout": 7200}  # the base settings'
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False

"""Kept database connections (`CONN_MAX_AGE` > 0) are health-checked, so a dead one costs no failed request."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.test import RequestFactory
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _database_settings(**env: str) -> dict:
    """settings.DATABASES["default"] of a fresh process started with `env` (the settings are read at start-up)."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']))"
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env={**keep, "DJANGO_SETTINGS_MODULE": "helpdesk.settings.dev", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_kept_connections_are_health_checked():
    assert _database_settings(CONN_MAX_AGE="60")["CONN_HEALTH_CHECKS"] is True
    assert _database_settings(CONN_MAX_AGE="0")["CONN_HEALTH_CHECKS"] is False  # nothing is kept, nothing to check


def _request(path: str) -> int:
    """One request through the WSGI handler, as gunicorn makes it: unlike the test client, this sends
    `request_started`/`request_finished` to `close_old_connections`, which keeps or drops the connection."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    status = []
    body = WSGIHandler()(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        b"".join(body)
    finally:
        body.close()  # request_finished
    return int(status[0].split()[0])


def _terminate_backend(pid: int) -> None:
    """Kill the server side of a connection from another connection, as a database restart or failover does."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
        pytest.fail(f"backend {pid} did not stop")
    finally:
        other.close()


@pytest.fixture
def kept_connection():
    """The test connection configured as production is with `CONN_MAX_AGE=60` (health checks as the settings
    derive them, or off for the control case)."""
    if connection.vendor != "postgresql":
        pytest.skip("terminating a server backend needs PostgreSQL")
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}

    def configure(*, health_checks: bool):
        connection.close()
        connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks)

    yield configure
    connection.close()
    connection.settings_dict.update(saved)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("health_checks", "second"), [(True, 200), (False, 503)])
def test_a_request_after_the_kept_connection_died(kept_connection, health_checks, second):
    kept_connection(health_checks=health_checks)
    health = reverse("healthz")  # it runs a query on every request and says 503 when the database fails
    assert _request(health) == 200
    assert connection.connection is not None, "the connection is kept between requests"
    _terminate_backend(connection.connection.info.backend_pid)
    # With health checks (the setting whenever CONN_MAX_AGE > 0) the dead connection is replaced before the first
    # query; without them (the control) that request fails.
    assert _request(health) == second
    assert _request(health) == 200  # a failed connection is dropped at the end of its request in any case

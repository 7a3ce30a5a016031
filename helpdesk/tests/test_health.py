"""`GET /healthz`: database and broker state, 200 when usable, 503 otherwise, quickly."""

import os
import socket
import time

import pytest
from django.db import DatabaseError
from django.urls import reverse

from conftest import service_unavailable
from helpdesk import health

pytestmark = pytest.mark.django_db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


def test_ok_without_a_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not_configured"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.redis
def test_ok_with_a_reachable_broker(client, settings):
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {TEST_REDIS_URL}: {exc}")
    settings.CELERY_BROKER_URL = TEST_REDIS_URL
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_broker_down_answers_503_quickly(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}
    assert elapsed < settings.HEALTH_BROKER_TIMEOUT + 1


def test_unresponsive_broker_times_out(settings):
    # A server that accepts the connection and then never answers: the socket timeout must cut the wait short.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        settings.HEALTH_BROKER_TIMEOUT = 0.5
        started = time.monotonic()
        assert health.check_broker() == "error"
        assert time.monotonic() - started < 2


def test_database_down_answers_503(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    class BrokenCursor:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

        def execute(self, *args, **kwargs):
            raise DatabaseError("connection refused")

        def close(self):
            pass

    # Nothing is cached (the block list, the site settings): every query fails, as in a real outage.
    monkeypatch.setattr(health.connection, "cursor", lambda: BrokenCursor())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"database": "error", "broker": "not_configured"}


def test_only_safe_methods(client):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.head(reverse("healthz")).status_code == 200

"""`GET /healthz`: each component's state; 200 while the database works (`degraded` when the broker or the cache
does not), 503 only when the database is unusable; quickly."""

import logging
import os
import socket
import time

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse

from conftest import service_unavailable
from helpdesk import health
from testing.redis_server import redis_server

pytestmark = pytest.mark.django_db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")


def test_ok_without_a_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "not_configured", "cache": "ok"}
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
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "cache": "ok"}


def test_broker_down_is_degraded_not_503_and_answers_quickly(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    elapsed = time.monotonic() - started
    assert response.status_code == 200  # tickets are still taken and nothing is lost: keep the site in rotation
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "error", "cache": "ok"}
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
    assert response.json() == {"status": "error", "database": "error", "broker": "not_configured", "cache": "ok"}


def test_only_safe_methods(client):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.head(reverse("healthz")).status_code == 200


@pytest.mark.redis
def test_broker_and_cache_stopped_is_degraded_and_logged_once(client, settings, caplog):
    """A real Redis of the test's own as broker and cache, stopped: 200 degraded, one warning per component however
    often the load balancer asks, and one line each when it is back."""
    health.broker_outage.reset()
    with redis_server() as server:
        settings.CELERY_BROKER_URL = server.url(0)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url(1),
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        assert client.get(reverse("healthz")).json() == {
            "status": "ok",
            "database": "ok",
            "broker": "ok",
            "cache": "ok",
        }
        server.stop()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            for _ in range(5):
                response = client.get(reverse("healthz"))
                assert response.status_code == 200
                assert response.json() == {"status": "degraded", "database": "ok", "broker": "error", "cache": "error"}
        assert sorted(r.getMessage().split(" is ")[0] for r in caplog.records) == ["The Celery broker", "The cache"]
        server.start()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert client.get(reverse("healthz")).json()["status"] == "ok"
        assert sorted(r.getMessage().split(" after ")[0] for r in caplog.records) == [
            "The Celery broker is back",
            "The cache is back",
        ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_unreachable_answers_503(client, settings):
    """The database server cannot be reached at all (a real refused connection, not a mock)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot be made unreachable")
    settings.CELERY_BROKER_URL = ""
    saved = connection.settings_dict["PORT"]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]  # nothing listens there once the socket is closed
    connection.close()
    connection.settings_dict["PORT"] = free_port
    try:
        response = client.get(reverse("healthz"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "broker": "not_configured", "cache": "ok"}

"""A cache outage (Redis stopped) costs no page and logs one warning per outage, plus one line when it is back."""

import logging

import pytest
from django.core.cache import cache as django_cache
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from helpdesk import cache
from helpdesk.cache import outage
from helpdesk.site import get_site_settings
from testing.redis_server import redis_server
from tickets.tests.views_support import ticket_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_redis_cache(settings):
    """The default cache on a Redis of this test's own, which the test may stop (the rendered fragments stay in
    local memory, as in production)."""
    with redis_server() as server:
        settings.CACHES = {
            **settings.CACHES,
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": server.url(1),
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            },
        }
        yield server


def _pages(customer, agent, ticket):
    """What people do all day: the portal, the queue, a ticket page with its presence pings, the login page."""
    as_customer, as_agent, anonymous = Client(), Client(), Client()
    as_customer.force_login(customer)
    as_agent.force_login(agent)
    return [
        lambda: anonymous.get(reverse("accounts:login")),
        lambda: as_customer.get(reverse("tickets:portal")),
        lambda: as_customer.get(ticket_url("detail", ticket)),
        lambda: as_agent.get(reverse("tickets:queue")),
        lambda: as_agent.get(ticket_url("detail", ticket)),
        lambda: as_agent.post(ticket_url("presence", ticket), {"state": "writing"}),
        lambda: as_customer.get(reverse("healthz")),
    ]


def _warnings(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.redis
def test_pages_work_through_a_cache_outage_and_it_is_logged_once(
    private_redis_cache, customer, agent, ticket, caplog, monkeypatch
):
    monkeypatch.setattr(outage, "retry_seconds", 0)  # the worst case for the log: every call tries the dead cache
    pages = _pages(customer, agent, ticket)
    for page in pages:
        assert page().status_code == 200
    assert django_cache.get("helpdesk:site-settings:v1") is not None  # the pages did use this Redis

    private_redis_cache.stop()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for _ in range(10):
            for page in pages:
                assert page().status_code == 200
    warnings = _warnings(caplog)
    assert [(r.name, r.getMessage().split(":")[0]) for r in warnings] == [
        ("helpdesk.cache", "The cache is unavailable, going on without it")
    ]
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a cache outage"

    private_redis_cache.start()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for page in pages:
            assert page().status_code == 200
    back = _warnings(caplog)
    assert len(back) == 1
    assert back[0].getMessage().startswith("The cache is back after ")
    assert get_site_settings().pk == 1
    assert django_cache.get("helpdesk:site-settings:v1") is not None  # cached again


@pytest.mark.redis
def test_during_an_outage_calls_skip_the_cache_until_the_retry_time(private_redis_cache, monkeypatch):
    calls = []
    private_redis_cache.stop()
    redis_cache = caches["default"]
    original = redis_cache.get

    def counting_get(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(redis_cache, "get", counting_get)
    assert cache.get("k", "default") == "default"  # tries, fails: the outage starts
    assert cache.get("k", "default") == "default"  # skipped: the last try was less than RETRY_SECONDS ago
    assert cache.set("k", 1, 10) is False
    assert cache.delete("k") is False
    assert calls == ["k"]
    monkeypatch.setattr(outage, "_next_try", 0.0)  # RETRY_SECONDS later
    private_redis_cache.start()
    assert cache.set("k", 1, 10) is True
    assert cache.get("k") == 1
    assert not outage.down


def test_a_failing_call_returns_the_default_and_other_errors_are_not_hidden(monkeypatch):
    errors = [ConnectionRefusedError("cache down"), TypeError("a bug, not an outage")]

    def failing_get(*args, **kwargs):
        raise errors.pop(0)

    monkeypatch.setattr(caches["default"], "get", failing_get)
    assert cache.get("k", 7) == 7
    assert outage.down
    outage.reset()
    with pytest.raises(TypeError):
        cache.get("k")

"""B7 presence: who else has a ticket open, in the (shared) cache, with a short expiry."""

import os

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from accounts.tests.factories import AgentFactory
from conftest import service_unavailable
from tickets import presence

from .views_support import ticket_url

TEST_REDIS_URL = os.environ.get("TICKETS_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


class _User:
    def __init__(self, pk, name):
        self.pk, self.full_name = pk, name


ALI, SARA = _User(1, "علی"), _User(2, "سارا")


def test_others_see_viewers_and_writers_but_not_themselves():
    presence.touch(ticket_id=5, user=ALI, now=1000)
    presence.touch(ticket_id=5, user=SARA, state=presence.WRITING, now=1001)
    seen_by_ali = presence.others(ticket_id=5, user=ALI, now=1002)
    assert [(p.name, p.state) for p in seen_by_ali] == [("سارا", "writing")]
    assert [p.name for p in presence.others(ticket_id=5, user=SARA, now=1002)] == ["علی"]
    assert presence.others(ticket_id=6, user=ALI, now=1002) == []


def test_entries_expire_without_a_ping():
    presence.touch(ticket_id=5, user=SARA, now=1000)
    assert presence.others(ticket_id=5, user=ALI, now=1000 + presence.TTL - 1)
    assert presence.others(ticket_id=5, user=ALI, now=1000 + presence.TTL) == []


def test_leave_and_unknown_state():
    presence.touch(ticket_id=5, user=SARA, state="dancing", now=1000)
    assert presence.others(ticket_id=5, user=ALI, now=1000)[0].state == presence.VIEWING
    presence.leave(ticket_id=5, user=SARA)
    assert presence.others(ticket_id=5, user=ALI, now=1000) == []


def test_writers_come_first():
    presence.touch(ticket_id=5, user=_User(3, "الف"), now=1000)
    presence.touch(ticket_id=5, user=_User(4, "ی"), state=presence.WRITING, now=1000)
    assert [p.name for p in presence.others(ticket_id=5, user=ALI, now=1000)] == ["ی", "الف"]


def test_a_broken_cache_is_only_a_missing_hint(monkeypatch):
    def boom(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", boom)
    monkeypatch.setattr(cache, "set", boom)
    presence.touch(ticket_id=5, user=ALI)
    assert presence.others(ticket_id=5, user=SARA) == []


@pytest.mark.redis
def test_shared_between_processes_through_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": "tickets-test-presence",
        }
    }
    redis_cache = caches["default"]
    try:
        redis_cache.set("ping", 1, 5)
    except Exception as exc:  # noqa: BLE001 - any connection error means the service is missing
        service_unavailable(f"Redis at {TEST_REDIS_URL}: {exc}")
    other_process = RedisCache(TEST_REDIS_URL, {"KEY_PREFIX": "tickets-test-presence"})
    try:
        presence.touch(ticket_id=99, user=SARA, state=presence.WRITING)
        stored = other_process.get(presence.KEY.format(ticket_id=99))
        assert stored[SARA.pk][:2] == ("سارا", "writing")
        assert (
            0
            < other_process._cache.get_client(None).ttl(
                other_process.make_and_validate_key(presence.KEY.format(ticket_id=99))
            )
            <= presence.TTL
        )
    finally:
        redis_cache.delete(presence.KEY.format(ticket_id=99))


# --- the page -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_who_else_is_there_and_polls(client, agent, department, ticket):
    colleague = AgentFactory(full_name="نرگس")
    department.members.add(colleague)
    client.force_login(colleague)
    client.post(ticket_url("presence", ticket), {"state": "writing"})

    client.force_login(agent)
    page = client.get(ticket_url("detail", ticket)).content.decode()
    assert "نرگس در حال نوشتن پاسخ است" in page
    assert f'hx-post="{ticket_url("presence", ticket)}"' in page and "every 10s" in page
    assert "data-tk-reply-box" in page  # the script marks "writing" on input

    partial = client.post(ticket_url("presence", ticket), {"state": "viewing"})
    assert partial["Cache-Control"] == "no-store"
    assert "نرگس" in partial.content.decode() and "<html" not in partial.content.decode()

    client.force_login(colleague)
    seen = client.get(ticket_url("presence", ticket)).content.decode()
    assert "علی رضایی" in seen and "این تیکت را می‌بیند" in seen


@pytest.mark.django_db
def test_sending_a_reply_leaves(client, agent, ticket):
    client.force_login(agent)
    client.post(ticket_url("presence", ticket), {"state": "writing"})
    client.post(ticket_url("reply", ticket), {"body": "پاسخ", "last_seen": ticket.messages.get().pk})
    assert presence.others(ticket_id=ticket.pk, user=_User(0, "x")) == []

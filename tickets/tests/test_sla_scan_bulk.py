"""The SLA scan set-wise (#15.5): a batch costs the same queries whatever the number of breaches in it, each ticket
is marked once even when scans race, one scan runs at a time, and a backlog is drained batch after batch."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from helpdesk.site import get_site_settings
from helpdesk.tests.pins import assert_queries
from notifications.models import Notification, NotificationPreference
from tickets import sla
from tickets.models import SLAPolicy, TicketEvent
from tickets.services import sla as sla_services

pytestmark = pytest.mark.django_db

T = sla.TEHRAN
FILED = dt.datetime(2026, 11, 23, 10, 0, tzinfo=T)  # a Monday, within working hours
BREACHED = dt.datetime(2026, 11, 23, 11, 1, tzinfo=T)  # the one-hour first-response target has passed


@pytest.fixture
def policy(priority):
    return SLAPolicy.objects.create(name="عادی", priority=priority, first_response_minutes=60, resolution_minutes=480)


@pytest.fixture
def filed(make_ticket, policy, supervisor):
    NotificationPreference.objects.create(user=supervisor, group="sla", email=False, sms=False, panel=True)

    def file(n: int) -> list:
        with time_machine.travel(FILED, tick=False):
            return [make_ticket(subject=f"چاپگر {i}") for i in range(n)]

    return file


def scan_queries(tickets) -> int:
    with time_machine.travel(BREACHED, tick=False):
        get_site_settings()  # cached, as on a running site (the notifications name it)
        with assert_queries(QUERIES[connection.vendor]) as ctx:
            result = sla_services.sla_scan()
    assert sorted(result.breached) == sorted(t.pk for t in tickets)
    assert sorted(pk for pk, level in result.escalated) == sorted(t.pk for t in tickets)
    return len(ctx.captured_queries)


# The lock (PostgreSQL: take, release; SQLite: a file), five due-ticket look-ups that find nothing after their
# batch (two breach passes, two warning passes, level 2) and one that finds the batch; the batch: mark the
# breach, mark the escalation, the tickets with their department, the supervisors, the members, the thread roots,
# one insert of events, the preferences (own choices, role defaults) and one insert of notifications (per ticket,
# or the supervisor's digest); the next look-up.
QUERIES = {"sqlite": 18, "postgresql": 20}
# SQLite inserts at most 999 values a statement: 15 tickets keep the 30 notification rows in one insert.
MANY = {"sqlite": 15, "postgresql": 30}


def test_a_batch_costs_the_same_queries_for_3_and_for_many_breaches(filed, supervisor, settings):
    settings.SLA_DIGEST_THRESHOLD = 1000  # every notification per ticket: the costliest way
    few = filed(3)
    assert scan_queries(few) == QUERIES[connection.vendor]
    TicketEvent.objects.filter(kind__in=["sla_breach", "escalated"]).delete()
    many = filed(MANY[connection.vendor])
    assert scan_queries(many) == QUERIES[connection.vendor]
    # The same events and notifications as one by one: a breach and a level-1 escalation for each, both to the
    # supervisor (their panel only, as they chose).
    for ticket in many:
        assert list(ticket.events.filter(kind__in=["sla_breach", "escalated"]).values_list("kind", flat=True)) == [
            "sla_breach",
            "escalated",
        ]
    rows = Notification.objects.filter(event__ticket__in=many, kind__in=["sla_breach", "escalated"])
    assert rows.count() == 2 * len(many)
    assert set(rows.values_list("recipient", "channel")) == {(supervisor.pk, "panel")}


def test_a_batch_summarised_in_a_digest_costs_the_same_queries(filed, supervisor):
    """Over SLA_DIGEST_THRESHOLD (20) notifications to one person: one summary row, the same queries as 3 tickets."""
    few = filed(3)
    assert scan_queries(few) == QUERIES[connection.vendor]
    many = filed(40)
    assert scan_queries(many) == QUERIES[connection.vendor]
    for ticket in many:
        assert ticket.events.filter(kind__in=["sla_breach", "escalated"]).count() == 2
    assert not Notification.objects.filter(event__ticket__in=many).filter(kind__in=["sla_breach", "escalated"])
    digest = Notification.objects.get(kind=sla_services.DIGEST)
    assert (digest.recipient, digest.channel) == (supervisor, "panel")
    assert "۴۰" in digest.body


def test_a_batch_is_marked_once_by_the_winner_of_two_racing_scans(filed):
    tickets = filed(4)
    ids = [t.pk for t in tickets]
    result = sla_services.ScanResult()
    assert sla_services._breach_batch(ids[:2], "first_response", BREACHED, result) == ids[:2]
    # The second scan took the same ids before the first one marked them: it marks only what is left.
    assert sla_services._breach_batch(ids, "first_response", BREACHED, result) == ids[2:]
    assert TicketEvent.objects.filter(ticket__in=tickets, kind="sla_breach").count() == 4


def test_a_backlog_larger_than_a_batch_is_drained_in_one_run(filed, monkeypatch):
    monkeypatch.setattr(sla_services, "BATCH", 2)
    tickets = filed(5)
    with time_machine.travel(BREACHED, tick=False):
        result = sla_services.sla_scan()
    assert result.finished and sorted(result.breached) == sorted(t.pk for t in tickets)
    assert TicketEvent.objects.filter(kind="sla_breach").count() == 5


def test_a_scan_out_of_time_stops_between_batches_and_the_next_continues(filed, monkeypatch):
    monkeypatch.setattr(sla_services, "BATCH", 2)
    tickets = filed(5)
    with time_machine.travel(BREACHED, tick=False):
        first = sla_services.sla_scan(budget_seconds=0)
        assert not first.finished and first.breached == []
        second = sla_services.sla_scan()
    assert second.finished and sorted(second.breached) == sorted(t.pk for t in tickets)


@pytest.mark.django_db(transaction=True)
def test_a_scan_does_nothing_while_another_holds_the_lock(filed):
    tickets = filed(2)
    holding, release = threading.Event(), threading.Event()

    def other_scan():
        try:
            with sla_services.scan_lock() as held:
                assert held
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_scan)
    thread.start()
    try:
        assert holding.wait(10)
        with time_machine.travel(BREACHED, tick=False):
            assert sla_services.sla_scan().skipped
        assert not TicketEvent.objects.filter(kind="sla_breach").exists()
    finally:
        release.set()
        thread.join(10)
    with time_machine.travel(BREACHED, tick=False):
        result = sla_services.sla_scan()
    assert not result.skipped and sorted(result.breached) == sorted(t.pk for t in tickets)

"""The SLA scan's digest: a person one batch would notify more than SLA_DIGEST_THRESHOLD times gets one summary per
channel they chose for deadlines, in their language; everyone else, and every ticket's timeline, as before."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import SupervisorFactory
from notifications.models import Notification, NotificationPreference
from tickets import services, sla
from tickets.models import SLAPolicy, TicketEvent
from tickets.services import sla as sla_services

pytestmark = pytest.mark.django_db

T = sla.TEHRAN
FILED = dt.datetime(2026, 11, 23, 10, 0, tzinfo=T)  # a Monday, within working hours
BREACHED = dt.datetime(2026, 11, 23, 11, 1, tzinfo=T)  # the one-hour first-response target has passed


@pytest.fixture
def backlog(make_ticket, priority, department, supervisor, agent):
    """Three unassigned overdue tickets and one assigned to the agent: the supervisors hear of 4 breaches and 4
    escalations (8 notifications), the agent of 1 breach."""
    SLAPolicy.objects.create(name="عادی", priority=priority, first_response_minutes=60, resolution_minutes=480)
    supervisor.language = "fa"
    supervisor.save(update_fields=["language"])
    NotificationPreference.objects.create(user=supervisor, group="sla", email=True, sms=False, panel=True)
    english = SupervisorFactory(language="en")
    department.supervisors.add(english)
    NotificationPreference.objects.create(user=english, group="sla", email=False, sms=False, panel=True)
    with time_machine.travel(FILED, tick=False):
        tickets = [make_ticket(subject=f"چاپگر {i}") for i in range(3)]
        tickets.append(services.ticket_assign(ticket=make_ticket(subject="چاپگر من"), agent=agent, actor=supervisor))
    return tickets, english


def scan() -> sla_services.ScanResult:
    with time_machine.travel(BREACHED, tick=False):
        return sla_services.sla_scan()


def test_over_the_threshold_each_supervisor_gets_one_summary_per_chosen_channel(backlog, supervisor, agent, settings):
    settings.SLA_DIGEST_THRESHOLD = 7
    tickets, english = backlog
    result = scan()
    assert sorted(result.breached) == sorted(t.pk for t in tickets)
    link = reverse("tickets:queue") + "?overdue=on"
    mine = Notification.objects.filter(recipient=supervisor)
    assert sorted(mine.values_list("kind", "channel")) == [("sla_digest", "email"), ("sla_digest", "panel")]
    panel = mine.get(channel="panel")
    assert (panel.subject, panel.body, panel.link) == ("مهلت‌های گذشته", "مهلت ۴ تیکت گذشت.", link)
    assert "مهلت ۴ تیکت گذشت." in mine.get(channel="email").body
    theirs = Notification.objects.get(recipient=english)
    assert (theirs.kind, theirs.channel, theirs.body, theirs.link) == (
        "sla_digest",
        "panel",
        "4 tickets breached their SLA.",
        link,
    )
    # The agent's one breach is told as always, on their default channels; the timeline keeps every event.
    told = Notification.objects.filter(recipient=agent, kind__in=["sla_breach", "escalated", "sla_digest"])
    assert set(told.values_list("kind", "event__ticket")) == {("sla_breach", tickets[-1].pk)}
    assert told.count() == 3  # email, SMS and panel: the deadlines group's defaults for staff
    for ticket in tickets:
        breach = ticket.events.get(kind="sla_breach")
        assert supervisor.pk in breach.data["recipients"] and english.pk in breach.data["recipients"]
        assert ticket.events.filter(kind="escalated").count() == 1


def test_at_the_threshold_every_notification_is_sent_per_ticket(backlog, supervisor, settings):
    settings.SLA_DIGEST_THRESHOLD = 8
    tickets, english = backlog
    scan()
    assert not Notification.objects.filter(kind=sla_services.DIGEST).exists()
    rows = Notification.objects.filter(recipient=supervisor)
    assert sorted(set(rows.values_list("kind", flat=True))) == ["escalated", "sla_breach"]
    assert rows.filter(channel="panel").count() == 8
    assert Notification.objects.filter(recipient=english).count() == 8


def test_a_supervisor_who_turned_deadlines_off_gets_no_summary(backlog, supervisor, settings):
    settings.SLA_DIGEST_THRESHOLD = 1
    NotificationPreference.objects.filter(user=supervisor, group="sla").update(email=False, panel=False)
    scan()
    assert not Notification.objects.filter(recipient=supervisor).exists()
    assert TicketEvent.objects.filter(kind="sla_breach").count() == 4


def test_warnings_are_summarised_with_a_link_to_the_tickets_due_soon(backlog, agent, settings):
    settings.SLA_DIGEST_THRESHOLD = 3
    agent.language = "fa"
    agent.save(update_fields=["language"])
    with time_machine.travel(FILED + dt.timedelta(minutes=50), tick=False):  # past 80 % of the one-hour target
        result = sla_services.sla_scan()
    assert len(result.warned) == 4 and not result.breached
    rows = Notification.objects.filter(recipient=agent, kind__in=["sla_warning", "sla_digest"])
    assert sorted(rows.values_list("kind", "channel")) == [("sla_digest", c) for c in ("email", "panel", "sms")]
    panel = rows.get(channel="panel")
    assert (panel.subject, panel.body, panel.link) == (
        "مهلت‌های نزدیک",
        "مهلت ۴ تیکت نزدیک است.",
        reverse("tickets:queue") + "?view=due_soon",
    )


def test_level_two_escalations_are_summarised_for_the_managers(backlog, manager, settings):
    settings.SLA_DIGEST_THRESHOLD = 3
    manager.language = "fa"
    manager.save(update_fields=["language"])
    with time_machine.travel(FILED + dt.timedelta(minutes=91), tick=False):  # past 150 % of the first-response target
        result = sla_services.sla_scan()
    assert sorted(pk for pk, level in result.escalated if level == 2) == sorted(t.pk for t in backlog[0])
    rows = Notification.objects.filter(recipient=manager)
    assert sorted(rows.values_list("kind", "channel")) == [("sla_digest", c) for c in ("email", "panel", "sms")]
    assert rows.get(channel="panel").body == "۴ تیکت به سطح ۲ ارجاع شد."
    assert rows.get(channel="sms").subject == "ارجاع‌ها به سطح ۲"
    assert TicketEvent.objects.filter(kind="escalated", data__level=2).count() == 4

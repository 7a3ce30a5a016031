"""Fault drill (issue #10, item 1): the database connection dies in the middle of a ticket action, at every write
and at the commit, through the real views on PostgreSQL. Each time, either the page says it was done and the change
and its notification rows are stored, or it answers "not saved, try again" (503) and nothing is: never a success
page over a rolled-back transaction (`notify` used to swallow exactly that)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from testing.faults import Drill, require_postgresql, run_drill
from testing.fixtures import TEST_REDIS_URL, celery_broker, redis_available
from tickets import events
from tickets.models import Message, Status, Ticket, TicketEvent
from tickets.tests.factories import DepartmentFactory

from .views_support import ticket_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def production_like():
    """PostgreSQL, and a real broker to publish to after commit (as in production: nothing after the commit touches
    the database; in eager mode the deliveries would run inside the request)."""
    require_postgresql()
    if not redis_available():
        from conftest import service_unavailable

        service_unavailable(f"Redis is not reachable at {TEST_REDIS_URL}")
    with celery_broker(TEST_REDIS_URL):
        yield


def browser(user) -> Client:
    client = Client(raise_request_exception=False)  # the page a browser gets, not the exception
    client.force_login(user)
    return client


def last(ticket: Ticket, kind: str, after: int) -> TicketEvent | None:
    return ticket.events.filter(kind=kind, pk__gt=after).first()


def _marker() -> str:
    return f"پیام {uuid.uuid4().hex[:8]}"


def test_a_reply_is_stored_with_its_notifications_or_refused(make_ticket, customer):
    client = browser(customer)

    def setup():
        ticket = make_ticket()
        return ticket, _marker(), ticket.events.order_by("-pk").first().pk

    def post(thing):
        ticket, body, _after = thing
        return client.post(ticket_url("reply", ticket), {"body": body})

    def event(thing):
        ticket, body, after = thing
        found = last(ticket, events.REPLIED, after)
        assert (found is not None) == Message.objects.filter(ticket=ticket, body=body).exists()
        return found

    result = run_drill(Drill("reply_add", setup, post, event))
    assert len(result.points) >= 4  # message, event, notification rows, ticket, commit …


def test_a_new_ticket_is_stored_with_its_notifications_or_refused(transactional_db, customer, department, priority):
    client = browser(customer)

    def setup():
        return _marker()

    def post(subject):
        return client.post("/tickets/new/", {"department": department.pk, "subject": subject, "body": "متن"})

    def event(subject):
        ticket = Ticket.objects.filter(subject=subject).first()
        return None if ticket is None else ticket.events.filter(kind=events.CREATED).first()

    run_drill(Drill("ticket_create", setup, post, event))


def test_a_note_is_stored_with_its_notifications_or_refused(make_ticket, agent, teammate):
    from tickets import services

    client = browser(agent)

    def setup():
        ticket = services.ticket_assign(ticket=make_ticket(), agent=teammate, actor=agent)  # the note tells them
        return ticket, _marker(), ticket.events.order_by("-pk").first().pk

    def post(thing):
        ticket, body, _after = thing
        return client.post(ticket_url("note", ticket), {"body": body})

    def event(thing):
        ticket, body, after = thing
        found = last(ticket, events.NOTED, after)
        assert (found is not None) == Message.objects.filter(ticket=ticket, body=body, is_internal=True).exists()
        return found

    run_drill(Drill("note_add", setup, post, event))


def test_closing_is_stored_with_its_notification_or_refused(make_ticket, agent):
    client = browser(agent)

    def setup():
        ticket = make_ticket()
        return ticket, ticket.events.order_by("-pk").first().pk

    def post(thing):
        return client.post(ticket_url("close", thing[0]))

    def event(thing):
        ticket, after = thing
        found = last(ticket, events.STATUS, after)
        assert (found is not None) == (Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED)
        return found

    run_drill(Drill("ticket_close", setup, post, event))


def test_a_transfer_is_stored_with_its_notifications_or_refused(make_ticket, agent, other_agent):
    client = browser(agent)
    sales = DepartmentFactory(name="فروش", members=[other_agent])

    def setup():
        ticket = make_ticket()
        return ticket, ticket.events.order_by("-pk").first().pk

    def post(thing):
        data = {"department": sales.pk, "assignee": other_agent.pk, "note": "برای فروش"}  # the new agent is told
        return client.post(ticket_url("update", thing[0]), data)  # the sidebar's one form

    def event(thing):
        ticket, after = thing
        found = last(ticket, events.TRANSFERRED, after)
        assert (found is not None) == (Ticket.objects.get(pk=ticket.pk).department_id == sales.pk)
        return found

    run_drill(Drill("ticket_transfer", setup, post, event))

"""A ticket's status changes through the status machine (`tickets.services._common.STATUS`, `set_status`): each
change writes the status and the fields that go with it (timestamps, the SLA clock), nothing else of the row."""

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpdesk.tests.sql import updated_columns
from tickets import services
from tickets.models import Status, Ticket, TicketEvent
from tickets.services import errors
from tickets.services._common import set_status

pytestmark = pytest.mark.django_db

TABLE = Ticket._meta.db_table
NOW = dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:  # no business time passes while paused
        yield traveller


def writes(action, **kwargs) -> list[set[str]]:
    with CaptureQueriesContext(connection) as ctx:
        action(**kwargs)
    return updated_columns(ctx, TABLE)


def test_each_status_change_writes_its_own_fields(clock, ticket, agent, customer):
    change = services.ticket_change_status
    assert writes(change, ticket=ticket, status=Status.OPEN, actor=agent) == [{"status", "last_activity_at"}]
    paused = {"status", "last_activity_at", "sla_paused_at"}
    assert writes(change, ticket=ticket, status=Status.WAITING, actor=agent) == [paused]
    assert writes(change, ticket=ticket, status=Status.OPEN, actor=agent) == [paused]  # resumed
    took = {"resolved_at", "resolution_seconds", "resolution_business_seconds"}  # how long it took, for reports
    assert writes(change, ticket=ticket, status=Status.RESOLVED, actor=agent) == [paused | took]
    assert writes(services.ticket_reopen, ticket=ticket, actor=customer) == [paused | took | {"reopen_count"}]
    assert writes(services.ticket_close, ticket=ticket, actor=agent) == [
        {"status", "last_activity_at", "closed_at"} | took
    ]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at, ticket.resolved_at, ticket.last_activity_at) == (
        Status.CLOSED,
        NOW,
        NOW,
        NOW,
    )
    assert TicketEvent.objects.filter(ticket=ticket, kind="status").count() == 6


def test_a_reply_that_resolves_saves_the_reply_then_the_status(clock, ticket, agent):
    columns = writes(services.reply_add, ticket=ticket, author=agent, body="حل شد.", status=Status.RESOLVED)
    assert columns[-1] == {
        "status", "last_activity_at", "sla_paused_at", "resolved_at", "resolution_seconds",
        "resolution_business_seconds",
    }  # fmt: skip
    assert "status" not in set().union(*columns[:-1])  # the status is written once, by the step


def test_a_refused_change_writes_nothing(clock, ticket, agent):
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    events = TicketEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx, pytest.raises(errors.TicketError) as exc:
        services.ticket_change_status(ticket=ticket, status=Status.WAITING, actor=agent)
    assert exc.value.code == "invalid_transition"
    assert exc.value.params == {"old": Status.RESOLVED.label, "new": Status.WAITING.label}
    assert updated_columns(ctx, TABLE) == [] and TicketEvent.objects.count() == events


def test_the_status_step_keeps_a_column_changed_after_the_ticket_was_read(clock, ticket, agent):
    """`set_status` saves the named fields only, so a caller's older copy of the other columns is not written
    back over a newer value."""
    copy = Ticket.objects.get(pk=ticket.pk)
    Ticket.objects.filter(pk=ticket.pk).update(subject="changed meanwhile")
    with transaction.atomic():
        set_status(copy, Status.OPEN, actor=agent)
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.status) == ("changed meanwhile", Status.OPEN)

"""The ticket services' `actor=None` path (the system), added for the automation rules."""

import pytest

from tickets import services
from tickets.models import Status
from tickets.services import TicketPermissionError
from tickets.tests.factories import DepartmentFactory, PriorityFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def test_system_may_edit_a_new_ticket(ticket, agent):
    sales = DepartmentFactory(members=[agent])
    ticket = services.ticket_change_priority(ticket=ticket, priority=PriorityFactory(), actor=None)
    ticket = services.ticket_change_type(ticket=ticket, type=TicketTypeFactory(), actor=None)
    ticket = services.ticket_add_tags(ticket=ticket, tags="الف", actor=None)
    ticket = services.ticket_transfer(ticket=ticket, department=sales, actor=None)
    ticket = services.ticket_assign(ticket=ticket, agent=agent, actor=None)
    assert ticket.department == sales and ticket.assignee == agent
    assert ticket.events.exclude(kind="created").filter(actor__isnull=False).count() == 0


def test_system_reply_is_not_a_first_response_and_keeps_the_status(ticket):
    message = services.reply_add(ticket=ticket, author=None, body="دریافت شد.")
    assert message.author is None
    assert message.ticket.status == Status.NEW and message.ticket.first_response_at is None


def test_system_still_cannot_change_a_closed_ticket(ticket, agent):
    closed = services.ticket_close(ticket=ticket, actor=agent)
    with pytest.raises(TicketPermissionError) as exc:
        services.ticket_change_priority(ticket=closed, priority=PriorityFactory(), actor=None)
    assert exc.value.code == "closed"
    with pytest.raises(TicketPermissionError) as exc:
        services.reply_add(ticket=closed, author=None, body="x")
    assert exc.value.code == "closed"


def test_anonymous_users_are_still_refused(ticket):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(TicketPermissionError) as exc:
        services.ticket_change_priority(ticket=ticket, priority=PriorityFactory(), actor=AnonymousUser())
    assert exc.value.code == "not_allowed"

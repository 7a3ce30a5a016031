"""Notifications follow the new ticket as the rules and round-robin leave it (issue #11 §4): the new-ticket notice
is written after the `on_ticket_created` hooks, to the department the ticket ends up in, naming it, with a link
its agents can open; a rule's transfer tells nobody by itself; whoever a rule or round-robin assigned hears
"assigned to you" once, not a second new-ticket notice. Real rules, real services, the outbox rows they write."""

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from automation.models import DepartmentRouting
from notifications.models import Notification
from tickets import events, services
from tickets.tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

C = Notification.Channel


@pytest.fixture
def billing(db):
    """The department a rule sends tickets to, with its own two agents."""
    return DepartmentFactory(
        name="امور مالی",
        members=[
            AgentFactory(full_name="نیما مالی", email="nima@example.com", mobile="09124440000"),
            AgentFactory(full_name="لیلا مالی", email="leila@example.com", mobile="09125550000"),
        ],
    )


def panel_rows(ticket) -> dict[int, str]:
    """{recipient id: kind} of the ticket's panel notifications."""
    rows = Notification.objects.filter(channel=C.PANEL, event__ticket=ticket)
    return dict(rows.values_list("recipient_id", "kind"))


def test_a_rule_that_transfers_sends_the_new_ticket_notice_to_the_new_department(
    rule, make_ticket, department, billing, customer, agent, teammate, client
):
    rule(keywords="صورتحساب", set_department=billing)
    ticket = make_ticket(subject="صورتحساب اشتباه است")
    assert ticket.department == billing
    nima, leila = billing.members.order_by("pk")
    # The old department's agents hear nothing; no separate "transferred" notice for the new one.
    assert panel_rows(ticket) == {customer.pk: events.CREATED, nima.pk: events.CREATED, leila.pk: events.CREATED}
    notice = Notification.objects.get(recipient=nima, channel=C.EMAIL)
    assert "امور مالی" in notice.body and "پشتیبانی فنی" not in notice.body
    panel = Notification.objects.get(recipient=nima, channel=C.PANEL)
    assert "امور مالی" in panel.body
    client.force_login(nima)
    assert client.get(panel.link).status_code == 200  # the link opens for the agents it was sent to
    assert panel.link == reverse("tickets:detail", args=[ticket.reference])


def test_a_later_transfer_still_tells_the_new_department(rule, make_ticket, billing, agent):
    """Only the rules' transfer of a ticket being filed is folded into the new-ticket notice."""
    ticket = make_ticket()
    services.ticket_transfer(ticket=ticket, department=billing, actor=agent)
    event = ticket.events.get(kind=events.TRANSFERRED)
    assert Notification.objects.filter(event=event, channel=C.PANEL).count() == 2


def test_a_rule_that_assigns_tells_the_assignee_once(rule, make_ticket, customer, agent, teammate):
    rule(set_assignee=teammate)
    ticket = make_ticket()
    assert ticket.assignee == teammate
    assert panel_rows(ticket) == {customer.pk: events.CREATED, agent.pk: events.CREATED, teammate.pk: events.ASSIGNED}
    assert Notification.objects.filter(recipient=teammate).values_list("kind", flat=True).distinct().count() == 1


def test_a_rule_that_transfers_and_assigns(rule, make_ticket, billing, customer, agent):
    nima, leila = billing.members.order_by("pk")
    rule(set_department=billing, set_assignee=leila)
    ticket = make_ticket()
    assert (ticket.department, ticket.assignee) == (billing, leila)
    assert panel_rows(ticket) == {customer.pk: events.CREATED, nima.pk: events.CREATED, leila.pk: events.ASSIGNED}


def test_round_robin_assignment_tells_the_assignee_once(make_ticket, department, customer, agent, teammate):
    DepartmentRouting.objects.create(department=department, round_robin=True)
    ticket = make_ticket()
    assert ticket.assignee == agent  # the first in id order
    assert panel_rows(ticket) == {customer.pk: events.CREATED, agent.pk: events.ASSIGNED, teammate.pk: events.CREATED}


def test_a_transferred_ticket_is_routed_round_robin_in_its_new_department(rule, make_ticket, billing, customer):
    nima, leila = billing.members.order_by("pk")
    DepartmentRouting.objects.create(department=billing, round_robin=True)
    rule(set_department=billing)
    ticket = make_ticket()
    assert ticket.assignee == nima
    assert panel_rows(ticket) == {customer.pk: events.CREATED, nima.pk: events.ASSIGNED, leila.pk: events.CREATED}

"""`tickets.services.workflow`: assignment, transfer and the status transitions."""

import pytest
from django.utils import timezone

from accounts.tests.factories import AgentFactory
from tickets import services
from tickets.models import Status, Ticket, TicketEvent
from tickets.services import errors

from .services_support import codes, kinds

pytestmark = pytest.mark.django_db


# --- assignment and transfer ------------------------------------------------------------------------


class TestAssignTransfer:
    def test_take_it_yourself(self, ticket, agent, notified):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == agent
        event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
        assert event.data == {"old": None, "new": {"id": agent.pk, "name": agent.full_name}}
        assert notified.kinds[-1] == "assigned"

    def test_assign_is_noop_when_unchanged(self, ticket, agent):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        assert kinds(ticket).count("assigned") == 1

    def test_unassign(self, ticket, agent):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        services.ticket_assign(ticket=ticket, agent=None, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee is None

    def test_agent_must_belong_to_department(self, ticket, agent, other_agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_assign(ticket=ticket, agent=other_agent, actor=agent)
        assert codes(exc) == "agent_not_in_department"

    def test_managers_can_hold_any_ticket(self, ticket, agent, manager):
        services.ticket_assign(ticket=ticket, agent=manager, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == manager

    def test_customer_cannot_be_assigned(self, ticket, agent, colleague):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_assign(ticket=ticket, agent=colleague, actor=agent)
        assert codes(exc) == "agent_not_staff"

    def test_outsider_cannot_assign(self, ticket, other_agent, customer):
        for actor in (other_agent, customer):
            with pytest.raises(errors.TicketPermissionError) as exc:
                services.ticket_assign(ticket=ticket, agent=actor, actor=actor)
            assert codes(exc) == "not_allowed"

    def test_transfer_to_another_department(self, ticket, agent, other_agent, notified):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        finance = other_agent.departments.get()
        services.ticket_transfer(ticket=ticket, department=finance, actor=agent, note="موضوع مالی است")
        ticket.refresh_from_db()
        assert ticket.department == finance
        assert ticket.assignee is None
        event = TicketEvent.objects.get(ticket=ticket, kind="transferred")
        assert event.data["note"] == "موضوع مالی است"
        assert event.data["old_department"]["name"] == "پشتیبانی فنی"
        assert event.data["old_agent"]["id"] == agent.pk
        assert notified.kinds[-1] == "transferred"

    def test_transfer_with_agent(self, ticket, agent, other_agent):
        finance = other_agent.departments.get()
        services.ticket_transfer(ticket=ticket, department=finance, agent=other_agent, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == other_agent

    def test_transfer_agent_checked_against_new_department(self, ticket, agent, other_agent):
        finance = other_agent.departments.get()
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_transfer(ticket=ticket, department=finance, agent=agent, actor=agent)
        assert codes(exc) == "agent_not_in_department"
        assert Ticket.objects.get(pk=ticket.pk).department != finance

    def test_transfer_nothing(self, ticket, agent, department):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_transfer(ticket=ticket, department=department, actor=agent)
        assert codes(exc) == "transfer_nothing"

    def test_transfer_within_department_to_agent(self, ticket, agent, department):
        colleague_agent = AgentFactory()
        department.members.add(colleague_agent)
        services.ticket_transfer(ticket=ticket, department=department, agent=colleague_agent, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == colleague_agent


# --- status -----------------------------------------------------------------------------------------

ALL = list(Status.values)
ALLOWED = {
    "new": {"open", "waiting", "on_hold", "resolved", "closed"},
    "open": {"waiting", "on_hold", "resolved", "closed"},
    "waiting": {"open", "on_hold", "resolved", "closed"},
    "on_hold": {"open", "waiting", "resolved", "closed"},
    "resolved": {"open", "closed"},
    "closed": set(),
}


def _put_in(ticket, status):
    """Force a starting status (with consistent timestamps) without going through the services."""
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        closed_at=now if status == "closed" else None,
        resolved_at=now if status in ("resolved", "closed") else None,
    )


class TestStatus:
    @pytest.mark.parametrize(("old", "new"), [(o, n) for o in ALL for n in ALL if o != n])
    def test_transition_table(self, ticket, manager, old, new, notified):
        _put_in(ticket, old)
        notified.clear()
        if new in ALLOWED[old]:
            services.ticket_change_status(ticket=ticket, status=new, actor=manager)
            ticket.refresh_from_db()
            assert ticket.status == new
            event = TicketEvent.objects.filter(ticket=ticket, kind="status").get()
            assert event.data == {"old": old, "new": new}
            assert notified.kinds == ["status"]
        else:
            with pytest.raises(errors.TicketError) as exc:
                services.ticket_change_status(ticket=ticket, status=new, actor=manager)
            assert codes(exc) == ("closed" if old == "closed" else "invalid_transition")
            ticket.refresh_from_db()
            assert ticket.status == old
            assert not TicketEvent.objects.filter(ticket=ticket, kind="status").exists()
            assert notified.kinds == []

    def test_model_table_matches(self):
        from tickets.models import ALLOWED_TRANSITIONS

        assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == ALLOWED

    def test_unchanged_status_is_a_noop(self, ticket, agent):
        services.ticket_change_status(ticket=ticket, status=Status.NEW, actor=agent)
        assert "status" not in kinds(ticket)

    def test_timestamps(self, ticket, agent):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.resolved_at is not None and t.closed_at is None
        services.ticket_change_status(ticket=ticket, status=Status.CLOSED, actor=agent)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.closed_at is not None and t.resolved_at is not None

    def test_closing_an_open_ticket_sets_resolved_at(self, ticket, agent):
        services.ticket_close(ticket=ticket, actor=agent)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.status == Status.CLOSED and t.resolved_at == t.closed_at

    def test_customer_can_close_and_reopen(self, ticket, agent, customer, notified):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
        services.ticket_reopen(ticket=ticket, actor=customer)
        assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
        services.ticket_close(ticket=ticket, actor=customer)
        assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
        assert notified.kinds[-3:] == ["status", "status", "status"]

    def test_customer_cannot_change_status_directly(self, ticket, customer):
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.ticket_change_status(ticket=ticket, status=Status.ON_HOLD, actor=customer)
        assert codes(exc) == "not_allowed"

    def test_reopen_only_resolved(self, ticket, customer, agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_reopen(ticket=ticket, actor=customer)
        assert codes(exc) == "reopen_not_resolved"
        services.ticket_close(ticket=ticket, actor=agent)
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.ticket_reopen(ticket=ticket, actor=customer)
        assert exc.value.message == errors.ERR_CLOSED
        assert codes(exc) == "closed"

    def test_closed_is_final(self, ticket, agent, manager):
        services.ticket_close(ticket=ticket, actor=agent)
        for call in (
            lambda: services.ticket_change_status(ticket=ticket, status=Status.OPEN, actor=manager),
            lambda: services.ticket_close(ticket=ticket, actor=manager),
            lambda: services.ticket_assign(ticket=ticket, agent=agent, actor=manager),
            lambda: services.ticket_set_pinned(ticket=ticket, pinned=True, actor=manager),
        ):
            with pytest.raises(errors.TicketPermissionError) as exc:
                call()
            assert exc.value.message == errors.ERR_CLOSED
            assert codes(exc) == "closed"

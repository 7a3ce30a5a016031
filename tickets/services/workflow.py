"""Working a ticket: assignment, transfer and status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .. import events, permissions
from ..models import Department, Status, Ticket
from . import _common as c
from .errors import ERR_DEPARTMENT_INACTIVE, ERR_REOPEN_NOT_RESOLVED, ERR_TRANSFER_NOTHING, TicketError
from .sla import sla_apply
from .tickets import check_assignee

if TYPE_CHECKING:
    from accounts.models import User


def ticket_assign(*, ticket: Ticket, agent: User | None, actor: User | None) -> Ticket:
    """Give the ticket to `agent` (None: unassign; `agent == actor`: take it). The agent must work the
    ticket's department (member or supervisor) unless a manager/admin. Records `assigned`; no-op if unchanged."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_assign, actor, ticket), ticket)
        old = ticket.assignee
        if (old.pk if old else None) == (agent.pk if agent else None):
            return ticket
        if agent is not None:
            check_assignee(agent, ticket.department)
        ticket.assignee = agent
        ticket.save(update_fields=["assignee"])
        c.emit(events.event_assigned(ticket=ticket, actor=actor, old=old, new=agent))
    return ticket


def ticket_transfer(
    *, ticket: Ticket, department: Department, agent: User | None = None, actor: User | None, note: str = ""
) -> Ticket:
    """Refer the ticket to another department and/or agent (F19). The assignee becomes `agent` (checked
    against the new department) or nobody. Records `transferred`, with the note."""
    note = str(note or "").strip()
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_transfer, actor, ticket), ticket)
        if not department.is_active:
            raise TicketError(ERR_DEPARTMENT_INACTIVE, code="department_inactive")
        old_department, old_agent = ticket.department, ticket.assignee
        if department.pk == old_department.pk and (agent is None or agent.pk == ticket.assignee_id):
            raise TicketError(ERR_TRANSFER_NOTHING, code="transfer_nothing")
        if agent is not None:
            check_assignee(agent, department)
        ticket.department = department
        ticket.assignee = agent
        ticket.save(update_fields=["department", "assignee", *sla_apply(ticket, now=timezone.now())])
        c.emit(
            events.event_transferred(
                ticket=ticket,
                actor=actor,
                old_department=old_department,
                new_department=department,
                old_agent=old_agent,
                new_agent=agent,
                note=note,
            )
        )
    return ticket


def ticket_change_status(*, ticket: Ticket, status: str, actor: User) -> Ticket:
    """Staff set the status (F12) through the transition table. Records `status`; no-op if unchanged."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(permissions.can_change_status(actor, ticket), ticket)
        event = c.set_status(ticket, status, actor=actor)
        if event is not None:
            c.emit(event)
    return ticket


def ticket_close(*, ticket: Ticket, actor: User) -> Ticket:
    """Close for good (staff, or the customer who can see it). Records `status`."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(permissions.can_close(actor, ticket), ticket)
        event = c.set_status(ticket, Status.CLOSED, actor=actor, now=timezone.now())
        assert event is not None  # can_close refused a closed ticket
        c.emit(event)
    return ticket


def ticket_reopen(*, ticket: Ticket, actor: User) -> Ticket:
    """Reopen a resolved ticket (closed is final). Records `status`."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        if ticket.status not in (Status.RESOLVED, Status.CLOSED) and permissions.can_view(actor, ticket):
            raise TicketError(ERR_REOPEN_NOT_RESOLVED, code="reopen_not_resolved")
        c.require(permissions.can_reopen(actor, ticket), ticket)
        event = c.set_status(ticket, Status.OPEN, actor=actor)
        assert event is not None  # can_reopen refused a ticket that is not resolved
        c.emit(event)
    return ticket

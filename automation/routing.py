"""Round-robin assignment inside a department, and agents' away status."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, User
from tickets import services
from tickets.models import Ticket

from .models import AgentStatus, DepartmentRouting

logger = logging.getLogger("automation")

ERR_AWAY_UNTIL_PAST = _("The end of the absence must be in the future.")


def eligible_agents(department_id: int, *, now: datetime | None = None) -> list[User]:
    """Active staff members of the department who are not away, in a stable order (by id)."""
    away = AgentStatus.objects.away(now).values("user_id")
    return list(
        User.objects.filter(departments__pk=department_id, is_active=True, role__in=STAFF_ROLES)
        .exclude(pk__in=away)
        .order_by("pk")
    )


def next_agent(agents: list[User], last_id: int | None) -> User | None:
    """The agent after `last_id` in id order, wrapping around: everyone gets a turn, even as people come and go."""
    if not agents:
        return None
    if last_id is not None:
        for agent in agents:
            if agent.pk > last_id:
                return agent
    return agents[0]


def route_new_ticket(ticket: Ticket) -> Ticket:
    """Assign a still-unassigned ticket to the next available member if its department uses round-robin.

    The department's routing row is locked (`select_for_update`) for the read-then-write of the rotation, so two
    tickets created at once never go to the same turn. Call inside the creating transaction.
    """
    if ticket.assignee_id is not None:
        return ticket
    routing = (
        DepartmentRouting.objects.select_for_update()
        .filter(department_id=ticket.department_id, round_robin=True)
        .first()
    )
    if routing is None:
        return ticket
    agent = next_agent(eligible_agents(ticket.department_id), routing.last_assigned_id)
    if agent is None:
        logger.info("round-robin: nobody available in department %s for #%s", ticket.department_id, ticket.reference)
        return ticket
    try:
        with transaction.atomic():
            ticket = services.ticket_assign(ticket=ticket, agent=agent, actor=None)
    except ValidationError as exc:
        logger.warning("round-robin: could not assign #%s to %s: %s", ticket.reference, agent.pk, exc)
        return Ticket.objects.get(pk=ticket.pk)
    routing.last_assigned = agent
    routing.save(update_fields=["last_assigned"])
    return ticket


def agent_set_away(*, user: User, away: bool, until: datetime | None = None) -> AgentStatus:
    """Mark an agent away (optionally until a moment) or back. Away agents get no round-robin tickets.

    There is no page for this yet: the admin edits `AgentStatus`; a toggle on the agent's pages is for later.
    """
    if away and until is not None and until <= timezone.now():
        raise ValidationError(ERR_AWAY_UNTIL_PAST, code="away_until_past")
    with transaction.atomic():
        status, _created = AgentStatus.objects.select_for_update().get_or_create(user=user)
        status.is_away = bool(away)
        status.away_until = until if away else None
        status.save(update_fields=["is_away", "away_until", "updated_at"])
    return status

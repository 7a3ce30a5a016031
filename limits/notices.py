"""Usage warnings to the seller (80 % and 100 % of the ceiling), as events on a ticket so `notify` delivers them.

The Article 6 notifications read as ticket events do (`limits/notifications.py`), and a warning concerns no
request, so each ceiling gets one «ceiling warning» ticket (opened by the system in the Article 6 department,
requester = the seller's contact) the first time it is warned; both warnings of the period are events on that
ticket. The seller can answer there, and the ticket links to the increase request form.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext

from notifications import outbox
from tickets.models import Channel
from tickets.services import ticket_create

from . import events, text

logger = logging.getLogger(__name__)


def seller_contact(taxpayer):
    """The account that hears about the taxpayer: its owner, or the organisation's first manager."""
    if taxpayer.owner_user_id:
        return taxpayer.owner_user
    from accounts.models import User

    return (
        User.objects.filter(
            organisation_id=taxpayer.owner_organisation_id,
            organisation_role=User.OrganisationRole.MANAGER,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )


def _warning_ticket(ceiling, contact):
    from .models import Ceiling
    from .services.increases import article6_ticket_type

    if ceiling.warning_ticket_id:
        return ceiling.warning_ticket
    department = article6_ticket_type().default_department
    period = ceiling.period
    ticket = ticket_create(
        requester=contact,
        department=department,
        subject=gettext("Sales ceiling warning: %(name)s, %(period)s")
        % {"name": ceiling.taxpayer.name, "period": text.period_text(period)},
        body=gettext(
            "Invoices issued in %(period)s are approaching the Article 6 sales ceiling of %(total)s rials. "
            "Invoices above the ceiling give the buyer no tax credit. To sell more, request an increase from the "
            "«Sales ceilings» page: the VAT on the extra sales must be paid, arranged or guaranteed first."
        )
        % {"period": text.period_text(period), "total": text.rials(ceiling.total)},
        channel=Channel.STAFF,
        created_by=None,
    )
    Ceiling.objects.filter(pk=ceiling.pk).update(warning_ticket=ticket)
    ceiling.warning_ticket = ticket
    return ticket


def ceiling_warning(*, ceiling, level: int) -> None:
    """Record and notify one warning. The caller has already claimed the threshold (conditional update)."""
    contact = seller_contact(ceiling.taxpayer)
    if contact is None:
        logger.warning("Ceiling %s reached %s%% but its taxpayer has no one to warn.", ceiling.pk, level)
        return
    ticket = _warning_ticket(ceiling, contact)
    event = events.record_event(
        ticket=ticket,
        kind=events.CEILING_WARNING,
        actor=None,
        data={
            "level": level,
            "taxpayer": ceiling.taxpayer.name,
            "year": ceiling.year,
            "quarter": ceiling.quarter,
            "used": ceiling.used,
            "total": ceiling.total,
        },
    )
    outbox.notify(event)

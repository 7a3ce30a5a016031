"""The ticket timeline's entries of email-in (`tickets.events` registry, registered in `InboundConfig.ready`):
a customer's email held because its sender could not be verified, and the staff's decision on it. Staff only.
A hold is notified (group "replies") to whoever a customer's reply would be: the assignee, else the department."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets import events
from tickets import notifications as ticket_notifications

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketEvent

EMAIL_HELD = "email_held"
EMAIL_ACCEPTED = "email_accepted"
EMAIL_REJECTED = "email_rejected"


def _describe_held(e: TicketEvent) -> str:
    return gettext("An email from %(sender)s was held for the staff: its sender could not be verified.") % {
        "sender": e.data.get("sender") or "?"
    }


def _describe_accepted(e: TicketEvent) -> str:
    return gettext("%(actor)s accepted the held email from %(sender)s; it was posted as the customer's reply.") % {
        "actor": events.actor_name(e),
        "sender": e.data.get("sender") or "?",
    }


def _describe_rejected(e: TicketEvent) -> str:
    return gettext("%(actor)s rejected the held email from %(sender)s; it was discarded.") % {
        "actor": events.actor_name(e),
        "sender": e.data.get("sender") or "?",
    }


def _held_recipients(e: TicketEvent):
    ticket = e.ticket
    staff = [ticket.assignee] if ticket.assignee is not None else ticket.department.members.filter(is_active=True)
    for user in staff:
        yield user, ticket_notifications.STAFF


def register() -> None:
    events.register(EMAIL_HELD, label=_("Email held"), describe=_describe_held)
    ticket_notifications.register_kind(EMAIL_HELD, group=ticket_notifications.REPLY, recipients=_held_recipients)
    events.register(EMAIL_ACCEPTED, label=_("Held email accepted"), describe=_describe_accepted)
    events.register(EMAIL_REJECTED, label=_("Held email rejected"), describe=_describe_rejected)


def event_held(*, ticket: Ticket, sender: str, subject: str) -> TicketEvent:
    return events.record(ticket=ticket, kind=EMAIL_HELD, data={"sender": sender, "subject": subject})


def event_decided(*, ticket: Ticket, actor: User, accepted: bool, inbound_id: int, sender: str) -> TicketEvent:
    kind = EMAIL_ACCEPTED if accepted else EMAIL_REJECTED
    return events.record(ticket=ticket, kind=kind, actor=actor, data={"inbound": inbound_id, "sender": sender})

"""What email-in adds to the staff ticket page, through `tickets.hooks` (tickets knows nothing of inbound): the
customer emails held because their sender could not be verified, each with its accept and reject buttons, for the
staff who may decide on them (one query, for those only)."""

from __future__ import annotations

from typing import Any

from anymail.inbound import AnymailInboundMessage
from django.http import HttpRequest

from tickets import hooks, permissions
from tickets.models import Ticket

from .models import InboundEmail, State
from .services.mail import message_text

PANEL = "inbound/held_emails.html"
SHOWN = 10  # the oldest first; the rest after these are decided


def _held(request: HttpRequest, ticket: Ticket | None) -> dict[str, Any] | None:
    # The page is shown only to those who see the ticket, so this is `may_decide` without its visibility query
    # (the accept and reject views check it whole).
    if ticket is None or ticket.is_closed or not permissions.is_staff_user(request.user):
        return None
    rows = list(
        InboundEmail.objects.filter(ticket=ticket, state=State.HELD)
        .only("pk", "sender", "subject", "received_at", "raw", "stripped_text")
        .order_by("received_at", "pk")[:SHOWN]
    )
    if not rows:
        return None
    held = [
        {
            "pk": row.pk,
            "sender": row.sender,
            "subject": row.subject,
            "received_at": row.received_at,
            "text": message_text(AnymailInboundMessage.parse_raw_mime(row.raw), row.stripped_text),
        }
        for row in rows
    ]
    return {"held": held}


def register() -> None:
    hooks.register_panel(hooks.STAFF_SIDE, PANEL, _held)

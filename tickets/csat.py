"""Customer satisfaction (CSAT): the signed link a customer rates a resolved ticket with, without logging in.

The token names the ticket and the resolution it rates (`resolved_at`, to the second), signed with SECRET_KEY
(`django.core.signing`, a salt of its own). It opens the rating page for `RATING_WINDOW` after that resolution;
within the window the customer may rate and change the rating as often as they like. Afterwards, after a reopen
(the ticket's `resolved_at` no longer matches) or with a forged token, the link changes nothing.

The link goes out with the notification that tells the requester their ticket is resolved (email, SMS and the
panel; `tickets.notifications`), unless the ticket's department has ratings turned off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import Status, Ticket

SALT = "tickets.csat"
RATING_WINDOW = dt.timedelta(days=7)
SCORES = (1, 2, 3, 4, 5)


def _stamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def asks_for_rating(ticket: Ticket) -> bool:
    """Whether a customer is asked to rate this ticket now: a customer's ticket, resolved or closed after a
    resolution, in a department that asks."""
    return bool(
        not ticket.is_internal
        and ticket.requester_id
        and ticket.resolved_at is not None
        and ticket.status in (Status.RESOLVED, Status.CLOSED)
        and ticket.department.csat_enabled
    )


def rating_token(ticket: Ticket) -> str:
    assert ticket.resolved_at is not None  # only resolved tickets are rated (`asks_for_rating`)
    return signing.Signer(salt=SALT).sign_object([ticket.pk, _stamp(ticket.resolved_at)])


def rating_path(ticket: Ticket) -> str:
    """The rating page of the ticket's current resolution, or "" when the customer is not asked."""
    if not asks_for_rating(ticket):
        return ""
    return reverse("tickets:rate", args=[rating_token(ticket)])


@dataclass(frozen=True)
class RatingLink:
    """What a token opens: the ticket, and whether the rating can still be given or changed."""

    ticket: Ticket
    open: bool  # False: the window has passed, or the ticket was reopened since

    @property
    def closes_at(self) -> dt.datetime:
        return self.ticket.resolved_at + RATING_WINDOW if self.ticket.resolved_at else timezone.now()


def read_token(token: str, *, now: dt.datetime | None = None) -> RatingLink | None:
    """The ticket a token was made for, or None for a forged or malformed token (or a ticket that is gone)."""
    try:
        ticket_id, stamp = signing.Signer(salt=SALT).unsign_object(str(token or ""))
        ticket_id, stamp = int(ticket_id), int(stamp)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    ticket = Ticket.objects.select_related("department", "requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.is_internal:
        return None
    now = now or timezone.now()
    current = (
        asks_for_rating(ticket) and _stamp(ticket.resolved_at) == stamp and now <= ticket.resolved_at + RATING_WINDOW
    )
    return RatingLink(ticket=ticket, open=current)

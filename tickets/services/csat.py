"""Customer satisfaction: the rating a customer gives through the signed link (`tickets.csat`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import csat, events
from ..models import SatisfactionRating
from . import _common as c
from .errors import ERR_RATING_CLOSED, ERR_RATING_COMMENT_TOO_LONG, ERR_RATING_SCORE, TicketError

COMMENT_MAX = 2000


def rating_submit(*, token: str, score: int, comment: str = "") -> SatisfactionRating:
    """Rate (or re-rate) the resolution the token names. Raises TicketError when the token is forged, the window
    has passed or the ticket was reopened since; nothing is written then. Records `rated` on the timeline."""
    comment = str(comment or "").strip()
    if score not in csat.SCORES:
        raise TicketError(ERR_RATING_SCORE, code="rating_score")
    if len(comment) > COMMENT_MAX:
        raise TicketError(ERR_RATING_COMMENT_TOO_LONG, code="rating_comment_too_long", params={"limit": COMMENT_MAX})
    with transaction.atomic():
        link = csat.read_token(token)
        if link is None or not link.open:
            raise TicketError(ERR_RATING_CLOSED, code="rating_closed")
        ticket = c.lock(link.ticket)
        link = csat.read_token(token)  # again under the lock: a reopen may have won the race
        if link is None or not link.open:
            raise TicketError(ERR_RATING_CLOSED, code="rating_closed")
        now = timezone.now()
        values = {"score": score, "comment": comment, "resolved_at": ticket.resolved_at}
        rating = SatisfactionRating.objects.filter(ticket=ticket).first()
        if rating is None:
            rating = SatisfactionRating.objects.create(ticket=ticket, created_at=now, updated_at=now, **values)
        elif {name: getattr(rating, name) for name in values} == values:
            return rating  # the same answer again: nothing changes
        else:
            for name, value in values.items():
                setattr(rating, name, value)
            rating.updated_at = now
            rating.save(update_fields=[*values, "updated_at"])
        c.emit(events.event_rated(ticket=ticket, actor=ticket.requester, score=score, comment=comment))
    return rating

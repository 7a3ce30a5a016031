"""The one entry point for notifications: every state-changing service calls `notify(event)` inside its
transaction, after recording the event.

For now it only logs. The notifications issue turns it into an outbox (rows written in the same
transaction, delivered by Celery after commit); callers don't change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tickets.models import TicketEvent

logger = logging.getLogger("helpdesk.notifications")


def notify(event: TicketEvent) -> None:
    """Queue the notifications an event causes. Call inside the transaction that recorded `event`."""
    logger.info(
        "ticket event %s on ticket %s by %s",
        event.kind,
        event.ticket_id,
        event.actor_id or "system",
        extra={"event_id": event.pk, "event_kind": event.kind, "ticket_id": event.ticket_id},
    )

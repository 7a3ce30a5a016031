"""What the knowledge base adds to the ticket pages, through `tickets.hooks` (tickets knows nothing of the KB).

`KnowledgebaseConfig.ready()` calls `register()`: suggestions while a customer files a ticket, the article picker
under the staff reply box, "turn this answer into a draft article" on a resolved ticket's staff page, and the
"a ticket was filed from this browser session" outcome of the self-service statistics (B6).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from tickets import hooks
from tickets.models import Ticket

from . import services

PANELS = "knowledgebase/ticket_panels/"


def _shown(request: HttpRequest, ticket: Ticket | None) -> dict[str, Any]:
    """Suggestions and the picker are on every such page (the picker's view itself refuses non-authors)."""
    return {}


def _draft(request: HttpRequest, ticket: Ticket | None) -> dict[str, Any] | None:
    if ticket is None or not services.can_draft_from(ticket):
        return None
    return {"draft_url": reverse("knowledgebase:draft_from_ticket", args=[ticket.pk])}


def record_ticket_filed(request: HttpRequest, ticket: Ticket) -> None:
    """If this browser session opened a suggested article first, the ticket counts as "filed anyway"."""
    services.suggestion_outcome_ticket_filed(request.session.session_key)


def register() -> None:
    hooks.register_panel(hooks.PORTAL_CREATE, PANELS + "suggestions.html", _shown)
    hooks.register_panel(hooks.STAFF_REPLY, PANELS + "reply_picker.html", _shown)
    hooks.register_panel(hooks.STAFF_SIDE, PANELS + "draft_from_ticket.html", _draft)
    hooks.register_panel(hooks.STAFF_MESSAGE, PANELS + "draft_from_message.html", _draft)
    hooks.register_portal_ticket_filed(record_ticket_filed)

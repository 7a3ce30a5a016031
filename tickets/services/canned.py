"""Canned responses and saved queue filters."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction

from helpdesk.l10n import digits

from ..models import CannedResponse, SavedFilter, Ticket

if TYPE_CHECKING:
    from accounts.models import User

PLACEHOLDERS = ("customer_name", "ticket_reference", "agent_name", "department")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def render_canned(*, response: CannedResponse, ticket: Ticket, agent: User | None) -> str:
    """The response's text with {customer_name}, {ticket_reference}, {agent_name} and {department} filled in.

    The reference is written in the active language's digits (Persian on Persian pages; an automatic reply is
    rendered in its requester's language, `automation.rules`). Any other `{…}` is left exactly as written
    (no str.format: a stray brace must not break the text).
    The result is Markdown for the reply box; it is sanitised when displayed like any message.
    """
    requester = ticket.requester
    values = {
        "customer_name": (requester.full_name if requester else "") or "",
        "ticket_reference": digits(ticket.reference),
        "agent_name": (agent.full_name if agent else "") or "",
        "department": ticket.department.name if ticket.department_id else "",
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], response.body)


def saved_filter_save(*, owner: User, name: str, querystring: str) -> SavedFilter:
    """Save the queue's query string under a name (replacing the owner's filter of the same name)."""
    name = " ".join(str(name or "").split())[:80]
    querystring = str(querystring or "").lstrip("?")
    with transaction.atomic():
        saved, _created = SavedFilter.objects.update_or_create(
            owner=owner, name=name, defaults={"querystring": querystring}
        )
    return saved


def saved_filter_delete(*, saved_filter: SavedFilter, actor: User) -> None:
    """Delete one of the actor's own saved filters (someone else's is a no-op: scope lookups by owner)."""
    with transaction.atomic():
        SavedFilter.objects.filter(pk=saved_filter.pk, owner=actor).delete()

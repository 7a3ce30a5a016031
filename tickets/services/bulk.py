"""Bulk actions for the queue: every ticket goes through the same service, each in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from ..models import Ticket
from .fields import ticket_add_tags, ticket_change_priority, ticket_set_pinned
from .workflow import ticket_assign, ticket_change_status, ticket_close, ticket_transfer

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class BulkResult:
    done: list[Ticket] = field(default_factory=list)
    failed: list[tuple[Ticket, str]] = field(default_factory=list)  # (ticket, the translated reason)


ACTIONS: dict[str, Callable[..., Ticket]] = {
    "assign": lambda t, actor, agent: ticket_assign(ticket=t, agent=agent, actor=actor),
    "transfer": lambda t, actor, department, agent=None, note="": ticket_transfer(
        ticket=t, department=department, agent=agent, actor=actor, note=note
    ),
    "status": lambda t, actor, status: ticket_change_status(ticket=t, status=status, actor=actor),
    "priority": lambda t, actor, priority: ticket_change_priority(ticket=t, priority=priority, actor=actor),
    "add_tags": lambda t, actor, tags: ticket_add_tags(ticket=t, tags=tags, actor=actor),
    "close": lambda t, actor: ticket_close(ticket=t, actor=actor),
    "pin": lambda t, actor: ticket_set_pinned(ticket=t, pinned=True, actor=actor),
    "unpin": lambda t, actor: ticket_set_pinned(ticket=t, pinned=False, actor=actor),
}


def bulk_apply(*, tickets: Iterable[Ticket], action: str, actor: User, **params: object) -> BulkResult:
    """Apply `action` (a key of ACTIONS) with `params` to each ticket. A refusal on one ticket (permission,
    transition, …) is reported in `failed` and doesn't stop or undo the others.

    Pass tickets already scoped to the actor (`visible_tickets(actor).filter(pk__in=ids)`); the services
    re-check permissions anyway.
    """
    try:
        apply = ACTIONS[action]
    except KeyError:
        raise ValueError(f"Unknown bulk action {action!r}") from None
    result = BulkResult()
    for ticket in tickets:
        try:
            result.done.append(apply(ticket, actor, **params))
        except ValidationError as exc:
            result.failed.append((ticket, " ".join(str(m) for m in exc.messages)))
    return result

"""Editing a ticket's attributes: priority, type, tags, pin, due dates, followers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from helpdesk.l10n import digits, isolate

from .. import events, permissions
from ..models import Priority, Ticket, TicketType
from . import _common as c
from .errors import (
    ERR_DUE_ORDER,
    ERR_FOLLOWER_NOT_ALLOWED,
    ERR_PRIORITY_NOT_AVAILABLE,
    ERR_TAG_TOO_LONG,
    ERR_TYPE_NOT_AVAILABLE,
    TicketError,
)
from .sla import sla_apply

if TYPE_CHECKING:
    from accounts.models import User

TAG_MAX = 100  # taggit's Tag.name


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def clean_tags(tags: Iterable[str] | str) -> list[str]:
    """Tag names as typed: split on commas (Latin or Persian) when given one string, trimmed, single-spaced,
    duplicates (ignoring case) dropped. Raises TicketError for an over-long tag."""
    if isinstance(tags, str):
        tags = tags.replace("،", ",").split(",")
    seen: dict[str, str] = {}
    for raw in tags or ():
        name = " ".join(str(raw).replace("،", " ").split())
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise TicketError(ERR_TAG_TOO_LONG, code="tag_too_long", params={"limit": digits(TAG_MAX)})
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def ticket_change_priority(*, ticket: Ticket, priority: Priority | None, actor: User | None) -> Ticket:
    """F11. Records `priority`; no-op if unchanged."""
    if priority is None or not priority.is_active:
        raise TicketError(ERR_PRIORITY_NOT_AVAILABLE, code="priority_not_available")
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_edit, actor, ticket), ticket)
        if ticket.priority_id == priority.pk:
            return ticket
        old = ticket.priority
        ticket.priority = priority
        ticket.save(update_fields=["priority", *sla_apply(ticket, now=timezone.now())])
        c.emit(events.event_priority(ticket=ticket, actor=actor, old=old, new=priority))
    return ticket


def ticket_change_type(*, ticket: Ticket, type: TicketType | None, actor: User | None) -> Ticket:  # noqa: A002
    """Records `type`; no-op if unchanged. The department and priority stay as they are."""
    if type is not None and not type.is_active:
        raise TicketError(ERR_TYPE_NOT_AVAILABLE, code="type_not_available")
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_edit, actor, ticket), ticket)
        if ticket.type_id == (type.pk if type else None):
            return ticket
        old = ticket.type
        ticket.type = type
        ticket.save(update_fields=["type", *sla_apply(ticket, now=timezone.now())])
        c.emit(events.event_type(ticket=ticket, actor=actor, old=old, new=type))
    return ticket


def _change_tags(ticket: Ticket, actor: User | None, *, wanted: list[str] | None, add: list[str]) -> Ticket:
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_edit, actor, ticket), ticket)
        current = {name.casefold(): name for name in ticket.tags.names()}
        target = {n.casefold(): n for n in (wanted if wanted is not None else [*current.values(), *add])}
        added = [name for key, name in target.items() if key not in current]
        removed = [name for key, name in current.items() if key not in target]
        if not added and not removed:
            return ticket
        if removed:
            ticket.tags.remove(*removed)
        if added:
            ticket.tags.add(*added)
        c.emit(events.event_tags(ticket=ticket, actor=actor, added=added, removed=removed))
    return ticket


def ticket_set_tags(*, ticket: Ticket, tags: Iterable[str] | str, actor: User | None) -> Ticket:
    """Replace the tags (F17). Records `tags` with what was added and removed; no-op if unchanged."""
    return _change_tags(ticket, actor, wanted=clean_tags(tags), add=[])


def ticket_add_tags(*, ticket: Ticket, tags: Iterable[str] | str, actor: User | None) -> Ticket:
    """Add tags, keeping the others (the queue's bulk "add a tag")."""
    return _change_tags(ticket, actor, wanted=None, add=clean_tags(tags))


def ticket_set_pinned(*, ticket: Ticket, pinned: bool, actor: User) -> Ticket:
    """F13. Records `pinned`; no-op if unchanged."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(permissions.can_edit(actor, ticket), ticket)
        if ticket.is_pinned == bool(pinned):
            return ticket
        ticket.is_pinned = bool(pinned)
        ticket.save(update_fields=["is_pinned"])
        c.emit(events.event_pinned(ticket=ticket, actor=actor, pinned=ticket.is_pinned))
    return ticket


def ticket_set_due(
    *,
    ticket: Ticket,
    actor: User,
    first_response_due: datetime | None | _Unchanged = UNCHANGED,
    resolution_due: datetime | None | _Unchanged = UNCHANGED,
) -> Ticket:
    """F14: set (or clear with None) either due date; omitted ones stay. One `due` event per changed date."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        c.require(permissions.can_edit(actor, ticket), ticket)
        changes: dict[str, tuple[datetime | None, datetime | None]] = {}
        for field, value in (("first_response_due", first_response_due), ("resolution_due", resolution_due)):
            if not isinstance(value, _Unchanged) and getattr(ticket, field) != value:
                changes[field] = (getattr(ticket, field), value)
        if not changes:
            return ticket
        for field, (_old, new) in changes.items():
            setattr(ticket, field, new)
        if ticket.first_response_due and ticket.resolution_due and ticket.first_response_due > ticket.resolution_due:
            raise TicketError(ERR_DUE_ORDER, code="due_order")
        ticket.save(update_fields=list(changes))
        for field, (old, new) in changes.items():
            c.emit(events.event_due(ticket=ticket, actor=actor, field=field, old=old, new=new))
    return ticket


def _may_follow(user: User, ticket: Ticket) -> bool:
    """Staff always may (following makes the ticket visible to them); a customer only if it's theirs to see:
    the requester or a member of the requester's organisation, never on internal tickets."""
    if not user.is_active:
        return False
    if permissions.is_staff_user(user):
        return True
    if ticket.is_internal:
        return False
    return user.pk == ticket.requester_id or (
        user.organisation_id is not None and user.organisation_id == ticket.organisation_id
    )


def follower_add(*, ticket: Ticket, user: User, actor: User) -> Ticket:
    """Add a follower (G4/G6). Anyone who sees the ticket may follow it; staff who work it may add others."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        if user.pk == getattr(actor, "pk", None):
            c.require(permissions.can_follow(actor, ticket))
        else:
            c.require(permissions.can_manage_followers(actor, ticket))
        if not _may_follow(user, ticket):
            raise TicketError(ERR_FOLLOWER_NOT_ALLOWED, code="follower_not_allowed", params={"user": isolate(user)})
        if ticket.followers.filter(pk=user.pk).exists():
            return ticket
        ticket.followers.add(user)
        c.emit(events.event_followed(ticket=ticket, actor=actor, user=user, following=True))
    return ticket


def follower_remove(*, ticket: Ticket, user: User, actor: User) -> Ticket:
    """Stop following (yourself), or remove someone else (staff who work the ticket)."""
    with transaction.atomic():
        ticket = c.lock(ticket)
        if user.pk == getattr(actor, "pk", None):
            c.require(permissions.can_follow(actor, ticket))
        else:
            c.require(permissions.can_manage_followers(actor, ticket))
        if not ticket.followers.filter(pk=user.pk).exists():
            return ticket
        ticket.followers.remove(user)
        c.emit(events.event_followed(ticket=ticket, actor=actor, user=user, following=False))
    return ticket

"""Who hears about an event (F20, G4, B3): one rule per event kind.

A rule maps an event to `(user, audience)` pairs; `audience` picks the wording ("requester" for the customer's
side, "staff" for the people working the ticket). The filters every rule goes through:

- nobody is notified of their own action — except the acknowledgement of a new ticket, which is the receipt the
  requester is waiting for (B3);
- customers never hear of internal tickets or of events they may not see (notes, assignment, …);
- inactive users hear nothing; each user appears once.

Other apps add or replace rules with `register(kind, group=…, recipients=…)` (e.g. the SLA kinds); kinds named
`limits_*` go to the seller (the ticket's requester).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from helpdesk.models import NotificationGroup

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketEvent

REQUESTER = "requester"
STAFF = "staff"
ACK = "ack"  # the requester's acknowledgement of a new ticket: sent even when they filed it themselves


@dataclass(frozen=True)
class Rule:
    group: str
    recipients: Callable[[TicketEvent], Iterable[tuple[User | None, str]]]


_RULES: dict[str, Rule] = {}


def register(kind: str, *, group: str, recipients: Callable[[TicketEvent], Iterable[tuple[User | None, str]]]):
    """Add or replace the rule of an event kind. `recipients(event)` yields `(user, audience)`."""
    if group not in NotificationGroup.values:
        raise ValueError(f"Unknown notification group {group!r}")
    _RULES[kind] = Rule(group=group, recipients=recipients)


def rule_for(kind: str) -> Rule | None:
    rule = _RULES.get(kind)
    if rule is None and kind.startswith("limits_"):
        return Rule(group=NotificationGroup.LIMITS, recipients=_requester_only)
    return rule


# --- helpers ------------------------------------------------------------------------------------------------------


def _is_staff(user) -> bool:
    return bool(user.is_employee or user.is_superuser)


def _department_members(department) -> list[User]:
    return list(department.members.filter(is_active=True))


def _department_supervisors(department) -> list[User]:
    return list(department.supervisors.filter(is_active=True))


def _user(pk) -> User | None:
    from accounts.models import User

    if not pk:
        return None
    return User.objects.filter(pk=pk).first()


def _followers(ticket: Ticket) -> list[User]:
    return list(ticket.followers.filter(is_active=True))


def _assignee_or_department(ticket: Ticket) -> list[User]:
    if ticket.assignee_id:
        return [ticket.assignee]
    return _department_members(ticket.department)


def _customer_side(event: TicketEvent) -> bool:
    """Did the customer's side act? (a customer, or the requester of an internal ticket)"""
    actor = event.actor
    if actor is None:
        return False
    return not _is_staff(actor) or actor.pk == event.ticket.requester_id


# --- rules --------------------------------------------------------------------------------------------------------


def _created(event: TicketEvent):
    ticket = event.ticket
    if not ticket.is_internal and ticket.requester_id:
        yield ticket.requester, ACK
    if ticket.is_internal:  # addressed to an agent, or else to the department
        staff = _assignee_or_department(ticket)
    else:
        staff = _department_members(ticket.department)
        if ticket.assignee_id:
            staff.append(ticket.assignee)
    for user in staff:
        yield user, STAFF


def _replied(event: TicketEvent):
    ticket = event.ticket
    if _customer_side(event):
        for user in _assignee_or_department(ticket):
            yield user, STAFF
    elif ticket.requester_id:
        yield ticket.requester, REQUESTER
    for user in _followers(ticket):
        yield user, REQUESTER if user.pk == ticket.requester_id or not _is_staff(user) else STAFF


def _noted(event: TicketEvent):
    ticket = event.ticket
    if ticket.assignee_id:
        yield ticket.assignee, STAFF
    for user in _followers(ticket):
        yield user, STAFF  # customers are dropped by the visibility filter


def _assigned(event: TicketEvent):
    yield _user((event.data.get("new") or {}).get("id")), STAFF


def _transferred(event: TicketEvent):
    agent = _user((event.data.get("new_agent") or {}).get("id"))
    if agent is not None:
        yield agent, STAFF
        return
    for user in _department_members(event.ticket.department):
        yield user, STAFF


def _requester_only(event: TicketEvent):
    if event.ticket.requester_id:
        yield event.ticket.requester, REQUESTER


def _sla(event: TicketEvent):
    """SLA warning/breach/escalation (the SLA issue): the users named in `data["recipients"]` (ids), else the
    assignee, else the department's supervisors."""
    ids = event.data.get("recipients") or []
    if ids:
        from accounts.models import User

        for user in User.objects.filter(pk__in=ids):
            yield user, STAFF
        return
    ticket = event.ticket
    staff = [ticket.assignee] if ticket.assignee_id else _department_supervisors(ticket.department)
    for user in staff:
        yield user, STAFF


register("created", group=NotificationGroup.NEW_TICKET, recipients=_created)
register("replied", group=NotificationGroup.REPLY, recipients=_replied)
register("noted", group=NotificationGroup.NOTE, recipients=_noted)
register("assigned", group=NotificationGroup.ASSIGNMENT, recipients=_assigned)
register("transferred", group=NotificationGroup.ASSIGNMENT, recipients=_transferred)
register("status", group=NotificationGroup.STATUS, recipients=_requester_only)
for _kind in ("sla_warning", "sla_breach", "escalated"):
    register(_kind, group=NotificationGroup.SLA, recipients=_sla)


# --- the filter ---------------------------------------------------------------------------------------------------


def recipients_for(event: TicketEvent, rule: Rule) -> list[tuple[User, str]]:
    """The rule's recipients after the common filters, each user once (first audience wins)."""
    from tickets import events as ticket_events

    ticket = event.ticket
    public = ticket_events.is_public(event.kind) and not ticket.is_internal
    seen: dict[int, tuple[User, str]] = {}
    for user, audience in rule.recipients(event):
        if user is None or not user.is_active or user.pk in seen:
            continue
        if user.pk == event.actor_id and audience != ACK:
            continue
        if not _is_staff(user) and not public:
            continue
        seen[user.pk] = (user, audience)
    return list(seen.values())

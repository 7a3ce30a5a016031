"""Who may see and do what with tickets — the one policy module. Views ask it; services re-check it.

Visibility (DESIGN "Permissions in one place"):
- anonymous or inactive: nothing;
- customer: own tickets, tickets they follow, and the organisation's tickets when its sharing is "all";
  never internal tickets, never internal notes;
- agent: tickets of the departments they are a member of, plus tickets assigned to them, followed by them or
  created by them;
- supervisor: as an agent, plus the departments they supervise (`team_tickets` adds what the agents of those
  departments see, for pages that follow the supervision rule: the Article 6 requests);
- manager, admin, superuser: everything (G5).

A ticket you may not see is a 404 for the views: `get_object_or_404(visible_tickets(user), pk=pk)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.db.models import Q, QuerySet

from accounts.models import Organisation, User

from .events import public_kinds
from .models import Attachment, Department, Message, Status, Ticket, TicketEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _authenticated(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_staff_user(user: User | AnonymousUser | None) -> TypeGuard[User]:
    """Employees (agent and up) and superusers."""
    return _authenticated(user) and (user.is_employee or user.is_superuser)


def sees_everything(user: User | AnonymousUser | None) -> bool:
    return _authenticated(user) and user.sees_all_departments


def can_view_internal(user: User | AnonymousUser | None) -> bool:
    """Internal tickets and internal notes are for staff only."""
    return is_staff_user(user)


def _staff_q(lookup: str, who: object) -> Q:
    """The tickets staff see: of the departments they work (member or supervisor), assigned to them, followed by
    them or created by them. `lookup` "" with `who` one user; "__in" with `who` a subquery of user ids."""

    def by(field: str) -> dict:
        return {f"{field}{lookup}": who}

    members = Department.members.through.objects.filter(**by("user")).values("department_id")
    supervised = Department.supervisors.through.objects.filter(**by("user")).values("department_id")
    followed = Ticket.followers.through.objects.filter(**by("user")).values("ticket_id")
    return (
        Q(department__in=members)
        | Q(department__in=supervised)
        | Q(**by("assignee"))
        | Q(pk__in=followed)
        | Q(**by("created_by"))
    )


def visible_tickets(user: User | AnonymousUser | None, queryset: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets `user` may see. Uses subqueries (no row-multiplying joins), so it composes freely."""
    qs = Ticket.objects.all() if queryset is None else queryset
    if not _authenticated(user):
        return qs.none()
    if sees_everything(user):
        return qs
    if is_staff_user(user):
        return qs.filter(_staff_q("", user))
    # Customers: the ids of their few tickets as one UNION subquery. (An OR of the same conditions makes
    # PostgreSQL walk the whole queue index; at 100,000 tickets this is ~10× faster.)
    ids = Ticket.objects.filter(requester=user).order_by().values("pk")
    parts: list[QuerySet] = [Ticket.followers.through.objects.filter(user=user).order_by().values("ticket_id")]
    if user.organisation_id:
        parts.append(
            Ticket.objects.filter(organisation_id=user.organisation_id, organisation__sharing=Organisation.Sharing.ALL)
            .order_by()
            .values("pk")
        )
    return qs.filter(pk__in=ids.union(*parts, all=True), is_internal=False)


def team_tickets(user: User | AnonymousUser | None) -> QuerySet[Ticket]:
    """What the agents (members) of the departments `user` supervises see: a supervisor oversees their agents' work.

    The ticket queue keeps the rule of `visible_tickets`; pages that show a supervisor their team's work (the
    Article 6 requests) add this. Nothing for customers and for staff who supervise no department; everything for
    those who see every department."""
    if not is_staff_user(user):
        return Ticket.objects.none()
    if sees_everything(user):
        return Ticket.objects.all()
    supervised = Department.supervisors.through.objects.filter(user=user).values("department_id")
    team = Department.members.through.objects.filter(department__in=supervised).values("user_id")
    return Ticket.objects.filter(_staff_q("__in", team))


def _visibility_key(user: User, ticket: Ticket) -> tuple:
    """What a ticket's visibility to `user` turns on among the ticket's own columns: a memo under this key is void
    once the instance is transferred, reassigned, made internal or given to another requester."""
    return (
        user.pk,
        ticket.pk,
        ticket.department_id,
        ticket.assignee_id,
        ticket.is_internal,
        ticket.requester_id,
        ticket.organisation_id,
    )


def loaded_visible(user: User, ticket: Ticket) -> None:
    """`ticket` was just read through `visible_tickets(user)` (a page's loader): `can_view` needs no query of its
    own for this instance (the page asks it several times: reply, note, close…). Only the loader calls this; a
    view that writes loads its ticket through `visible_tickets` itself and the services ask `can_view` again."""
    ticket.__dict__["_visible_to"] = _visibility_key(user, ticket)


def can_view(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    if _authenticated(user) and ticket.__dict__.get("_visible_to") == _visibility_key(user, ticket):
        return True
    return visible_tickets(user).filter(pk=ticket.pk).exists()


def works_department(user: User | AnonymousUser | None, department: Department | int | None) -> bool:
    """Member or supervisor of the department, or someone who sees every department."""
    if not is_staff_user(user) or department is None:
        return False
    if sees_everything(user):
        return True
    dept_id = department.pk if isinstance(department, Department) else department
    return user.departments.filter(pk=dept_id).exists() or user.supervised_departments.filter(pk=dept_id).exists()


def can_assign_to(agent: User | AnonymousUser | None, ticket_or_department: Ticket | Department) -> bool:
    """May `agent` be the assignee of a ticket in this department? (Member/supervisor, or manager/admin.)"""
    department = ticket_or_department.department if isinstance(ticket_or_department, Ticket) else ticket_or_department
    return works_department(agent, department)


def _works_ticket(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    """Staff who work the ticket's department or hold it. Asked for nearly every control of the staff page, so
    the answer is kept on the instance for this user, department and assignee (a transfer or an assignment of
    the instance asks again)."""
    if not is_staff_user(user):
        return False
    if ticket.assignee_id is not None and ticket.assignee_id == user.pk:
        return True
    memo = ticket.__dict__.setdefault("_works_memo", {})
    key = (user.pk, ticket.department_id)
    if key not in memo:
        memo[key] = works_department(user, ticket.department_id)
    return memo[key]


def can_reply(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    if ticket.status == Status.CLOSED or not _authenticated(user):
        return False
    return can_view(user, ticket)


def can_note(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return is_staff_user(user) and can_view(user, ticket)


def can_assign(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return ticket.status != Status.CLOSED and _works_ticket(user, ticket)


def can_transfer(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return ticket.status != Status.CLOSED and _works_ticket(user, ticket)


def can_change_status(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return ticket.status != Status.CLOSED and _works_ticket(user, ticket)


def can_edit(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    """Priority, type, tags, due dates, pin."""
    return ticket.status != Status.CLOSED and _works_ticket(user, ticket)


def can_merge(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return ticket.status != Status.CLOSED and _works_ticket(user, ticket)


def _customer_of(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return _authenticated(user) and user.is_customer and can_view(user, ticket)


def can_close(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    if ticket.status == Status.CLOSED:
        return False
    return can_change_status(user, ticket) or _customer_of(user, ticket)


def can_reopen(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    """Only a resolved ticket reopens; closed is final."""
    if ticket.status != Status.RESOLVED:
        return False
    return can_change_status(user, ticket) or _customer_of(user, ticket)


def can_follow(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    return can_view(user, ticket)


def can_manage_followers(user: User | AnonymousUser | None, ticket: Ticket) -> bool:
    """Add or remove *other* people as followers."""
    return _works_ticket(user, ticket)


def visible_messages(user: User | AnonymousUser | None, ticket: Ticket) -> QuerySet[Message]:
    """The thread as `user` may read it (customers never see internal notes); `attach_files` readies a page's
    list of them for the thread's cards."""
    qs = ticket.messages.select_related("author").order_by("created_at", "pk")
    if not can_view_internal(user):
        qs = qs.filter(is_internal=False)
    return qs


def attach_files(messages: list[Message]) -> list[Message]:
    """Each message's attachments as the list `message.files` (what the thread's cards show), one query for all
    of them: a plain list on each message, not a related manager's queryset (nor the prefetch machinery's
    per-message work)."""
    files: dict[int, list[Attachment]] = {message.pk: [] for message in messages}
    if files:
        found = Attachment.objects.filter(message_id__in=list(files)).only(
            "message_id", "original_name", "size", "inline_safe"
        )
        for attachment in found:
            files[attachment.message_id].append(attachment)
    for message in messages:
        message.files = files[message.pk]  # type: ignore[attr-defined]  # the cards' list
    return messages


def visible_events(user: User | AnonymousUser | None, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The timeline as `user` may read it (customers see only public kinds)."""
    qs = ticket.events.select_related("actor").order_by("created_at", "pk")
    if not can_view_internal(user):
        qs = qs.filter(kind__in=public_kinds())
    return qs


def visible_attachments(user: User | AnonymousUser | None) -> QuerySet[Attachment]:
    """Attachments `user` may download: on a visible ticket, and not on an internal note unless staff.

    Download views: `get_object_or_404(visible_attachments(request.user), pk=pk)`.
    """
    qs = Attachment.objects.filter(message__ticket__in=visible_tickets(user).values("pk"))
    if not can_view_internal(user):
        qs = qs.filter(message__is_internal=False)
    return qs.select_related("message")

"""Reads for the ticket pages: the agent queue, the customer's list and the data a ticket page shows.

Every function starts from `tickets.permissions` (what the user may see) and owns the
`select_related`/`prefetch_related` its page needs, so each page runs a fixed number of queries whatever
the number of rows, messages, tags, attachments or events.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Role, User
from helpdesk import cache

from . import permissions
from .filters import (
    ASSIGNEE_NONE,
    VIEW_DUE_SOON,
    VIEW_MINE,
    VIEW_MY_DEPARTMENTS,
    VIEW_OVERDUE,
    TicketFilter,
    due_soon_q,
    my_departments_q,
    overdue_q,
)
from .models import (
    ACTIVE_STATUSES,
    CannedResponse,
    Department,
    Message,
    Priority,
    SavedFilter,
    Status,
    TaggedTicket,
    Ticket,
    TicketEvent,
    TicketType,
)

# What a queue row shows, read as plain values (no model instances: at 25 rows with four related objects
# each, building models cost more than the query itself).
QUEUE_COLUMNS = (
    "pk",
    "reference",
    "subject",
    "status",
    "is_pinned",
    "is_internal",
    "resolution_due",
    "sla_paused_at",
    "last_activity_at",
    "requester__full_name",
    "assignee_id",
    "assignee__full_name",
    "department__name",
    "priority__name",
    "priority__colour",
)


@dataclass(slots=True)
class QueueRow:
    """One line of the queue (see `queue_rows`)."""

    pk: int
    reference: str
    subject: str
    status: str
    is_pinned: bool
    is_internal: bool
    resolution_due: datetime | None
    sla_paused_at: datetime | None
    last_activity_at: datetime
    requester_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    department_name: str
    priority_name: str | None
    priority_colour: str | None
    tags: list[str] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


def ticket_queue(*, user: User, params: Mapping | None) -> tuple[TicketFilter, QuerySet[Ticket]]:
    """The agent queue: `visible_tickets(user)` filtered and sorted by `params` (the query string).

    Returns the filter set (for the form and its errors) and the ordered queryset, ready to paginate (no
    DISTINCT: every filter is a plain condition or a subquery); turn the page's slice into rows with
    `queue_rows`. Without a status filter only tickets that still need work are listed; pinned tickets always
    come first.
    """
    data = params if params else None
    filterset = TicketFilter(data, queryset=permissions.visible_tickets(user), user=user)
    return filterset, filterset.qs


def queue_rows(tickets: QuerySet[Ticket]) -> list[QueueRow]:
    """The rows of one queue page (a sliced, ordered queryset): two queries, the tickets with their
    people, department and priority, and the tag names of those tickets."""
    rows = [
        QueueRow(
            pk=v["pk"],
            reference=v["reference"],
            subject=v["subject"],
            status=v["status"],
            is_pinned=v["is_pinned"],
            is_internal=v["is_internal"],
            resolution_due=v["resolution_due"],
            sla_paused_at=v["sla_paused_at"],
            last_activity_at=v["last_activity_at"],
            requester_name=v["requester__full_name"],
            assignee_id=v["assignee_id"],
            assignee_name=v["assignee__full_name"],
            department_name=v["department__name"],
            priority_name=v["priority__name"],
            priority_colour=v["priority__colour"],
        )
        for v in tickets.values(*QUEUE_COLUMNS)
    ]
    if rows:
        by_id = {row.pk: row for row in rows}
        tagged = TaggedTicket.objects.filter(content_object_id__in=list(by_id)).order_by("tag__name")
        for ticket_id, name in tagged.values_list("content_object_id", "tag__name"):
            by_id[ticket_id].tags.append(name)
    return rows


@dataclass(frozen=True)
class Counter:
    """One number at the top of the queue and the queue view that lists exactly those tickets."""

    key: str
    label: str
    count: int
    url: str
    capped: bool = False


# Each counter counts at most this many tickets, like the queue (`views.queue.COUNT_CAP`): "1,000+".
COUNTER_CAP = 1000


def queue_counters(*, user: User) -> list[Counter]:
    """The staff home's counters over the tickets `user` may see that still need work: mine, due within two
    hours, overdue, unassigned in my departments, waiting on the customer.

    One query: a scalar subquery per counter (`SELECT (SELECT COUNT(*) FROM (… LIMIT 1001)), …`), so each is
    served by its own index and stops at the cap, instead of one pass over every open ticket."""
    from django.db import connection

    now = timezone.now()
    visible = permissions.visible_tickets(user).filter(status__in=ACTIVE_STATUSES).order_by()
    conditions = {
        "mine": Q(assignee=user),
        "due_soon": due_soon_q(now),
        "overdue": overdue_q(now),
        "unassigned": Q(assignee__isnull=True) & my_departments_q(user),
        "waiting": Q(status=Status.WAITING),
    }
    parts: list[str] = []
    params: list[Any] = []
    for condition in conditions.values():
        sql, part_params = visible.filter(condition).values("pk")[: COUNTER_CAP + 1].query.sql_with_params()
        # Django's own SQL for the queryset, its values bound as parameters: nothing typed by a person is pasted.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        counts = dict(zip(conditions, cursor.fetchone(), strict=True))
    base = reverse("tickets:queue")
    views = [
        ("mine", _("Mine, open"), f"view={VIEW_MINE}"),
        ("due_soon", _("Due within 2 hours"), f"view={VIEW_DUE_SOON}"),
        ("overdue", _("Overdue"), f"view={VIEW_OVERDUE}"),
        ("unassigned", _("Unassigned in my departments"), f"view={VIEW_MY_DEPARTMENTS}&assignee={ASSIGNEE_NONE}"),
        ("waiting", _("Waiting on the customer"), f"status={Status.WAITING.value}"),
    ]
    return [
        Counter(
            key=key,
            label=str(label),
            count=min(counts[key], COUNTER_CAP),
            url=f"{base}?{query}",
            capped=counts[key] > COUNTER_CAP,
        )
        for key, label, query in views
    ]


def portal_tickets(*, user: User) -> QuerySet[Ticket]:
    """The customer's list: their own tickets and those the organisation shares, newest activity first."""
    return (
        permissions.visible_tickets(user)
        .select_related("requester", "department", "type")
        .order_by("-last_activity_at", "-pk")
    )


CHOICES_CACHE_KEY = "tickets:queue-choices:v3"
# The lists are forgotten whenever a row they list changes (`forget_queue_choices`, connected to the models'
# signals in `tickets.apps`); the timeout is only the backstop for a change made while the cache was unreachable.
CHOICES_CACHE_SECONDS = 24 * 3600
# A change of any other user field (a login's `last_login`, a password) leaves the staff list as it is.
CHOICES_USER_FIELDS = frozenset({"full_name", "email", "mobile", "role", "is_active"})


class QueueChoices(TypedDict):
    """The queue's choice lists; `version` is new whenever they are read from the database again, so what is
    built from them once a process (the option HTML, `tickets_ui.cached_options`) knows when to be rebuilt."""

    version: str
    departments: list[tuple[str, str]]
    types: list[tuple[str, str]]
    priorities: list[tuple[str, str]]
    staff: list[tuple[str, str]]


def queue_choices() -> QueueChoices:
    """(id, name) lists for the queue's filter and bulk forms: active departments, types, priorities and staff.

    Read on every queue request, changed rarely by admins: cached until one of the listed models changes.
    """
    cached = cache.get(CHOICES_CACHE_KEY)
    if cached is not None:
        return cached
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("full_name")
    choices: QueueChoices = {
        "version": uuid.uuid4().hex,
        "departments": [(str(pk), name) for pk, name in active_departments().values_list("pk", "name")],
        "types": [(str(pk), name) for pk, name in active_types().values_list("pk", "name")],
        "priorities": [(str(pk), name) for pk, name in active_priorities().values_list("pk", "name")],
        "staff": [
            (str(pk), name or email or mobile or str(pk))
            for pk, name, email, mobile in staff.values_list("pk", "full_name", "email", "mobile")
        ],
    }
    cache.set(CHOICES_CACHE_KEY, choices, CHOICES_CACHE_SECONDS)
    return choices


def forget_queue_choices(sender: type, instance: object, **kwargs: object) -> None:
    """Signal receiver (post_save / post_delete of Department, TicketType, Priority and User): the next queue
    page reads the lists again. A user is only in the staff list while active staff, so saving one who is
    neither active staff now nor listed (a customer, a login's `last_login`) keeps the lists."""
    if sender is User:
        assert isinstance(instance, User)
        update_fields = kwargs.get("update_fields")
        if isinstance(update_fields, frozenset | set) and not CHOICES_USER_FIELDS.intersection(update_fields):
            return
        if not (instance.is_active and instance.role in STAFF_ROLES):
            cached = cache.get(CHOICES_CACHE_KEY)
            if cached is None or str(instance.pk) not in {pk for pk, _name in cached["staff"]}:
                return
    cache.delete(CHOICES_CACHE_KEY)


CHOICE_MODELS = (Department, TicketType, Priority, User)


def saved_filters(*, user: User) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(owner=user).order_by("name")


@dataclass
class TicketPage:
    """What a ticket page renders, read with a fixed number of queries."""

    ticket: Ticket
    messages: list[Message]
    events: list[TicketEvent]

    @property
    def last_public_message_id(self) -> int:
        public = [m.pk for m in self.messages if not m.is_internal]
        return max(public) if public else 0


def ticket_for_page(*, user: User, queryset: QuerySet[Ticket] | None = None, **lookup: object) -> Ticket:
    """One visible ticket with what its header shows (raises Ticket.DoesNotExist when not visible)."""
    qs = permissions.visible_tickets(user, queryset=queryset).select_related(
        "requester",
        "requester__organisation",
        "organisation",
        "department",
        "type",
        "priority",
        "assignee",
        "satisfaction",
    )
    ticket = qs.get(**lookup)  # its tags and followers: `Ticket.tag_names`, `Ticket.follower_list`
    permissions.loaded_visible(user, ticket)
    return ticket


# What the thread and the timeline show of a message, an event and their people: the stored HTML, not the
# Markdown source, and a person's name (or email or mobile, `User.__str__`), not the whole account.
PAGE_MESSAGE_FIELDS = (
    "ticket_id",
    "author_id",
    "body_html",
    "is_internal",
    "channel",
    "created_at",
    "sender_unverified",
    "author__full_name",
    "author__email",
    "author__mobile",
)
PAGE_EVENT_FIELDS = ("ticket_id", "kind", "actor_id", "data", "created_at", "actor__full_name")


def ticket_page(*, user: User, ticket: Ticket, with_events: bool = True) -> TicketPage:
    """The thread (notes only for staff) and, for staff, the timeline: one query each (+1 for attachments)."""
    messages = permissions.attach_files(list(permissions.visible_messages(user, ticket).only(*PAGE_MESSAGE_FIELDS)))
    events = list(permissions.visible_events(user, ticket).only(*PAGE_EVENT_FIELDS)) if with_events else []
    return TicketPage(ticket=ticket, messages=messages, events=events)


def public_messages_after(*, ticket: Ticket, message_id: int) -> list[Message]:
    """Public replies newer than `message_id` (B7: what arrived while an agent was writing)."""
    return permissions.attach_files(
        list(
            ticket.messages.filter(is_internal=False, pk__gt=message_id)
            .select_related("author")
            .order_by("created_at", "pk")
        )
    )


def department_agents(*, department: Department) -> QuerySet[User]:
    """Active staff who may hold tickets of `department`: its members and supervisors, and managers/admins."""
    return (
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .filter(Q(departments=department) | Q(supervised_departments=department) | Q(role__in=("manager", "admin")))
        .distinct()
        .order_by("full_name")
    )


def works_in_no_department(*, user: User) -> bool:
    """Is `user` staff who is neither a member nor a supervisor of any department (and doesn't see them all)? Their
    queue only has what is assigned to, followed or filed by them."""
    if not permissions.is_staff_user(user) or permissions.sees_everything(user):
        return False
    return not Department.objects.filter(Q(members=user) | Q(supervisors=user)).exists()


def site_admins(*, limit: int = 3) -> list[User]:
    """The active admins (and superusers), to name whom to ask, with their email or mobile."""
    admins = User.objects.filter(is_active=True).filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
    return list(admins.order_by("full_name", "pk")[:limit])


def staff_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("full_name")


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).order_by("name")


def public_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True, is_public=True).order_by("name")


def public_types() -> QuerySet[TicketType]:
    """Types a customer may pick on the portal (without those an app files through its own form, see hooks)."""
    from . import hooks

    types = TicketType.objects.filter(is_active=True, is_public=True)
    if hooks.portal_hidden_type_codes:
        types = types.exclude(code__in=sorted(hooks.portal_hidden_type_codes))
    return types.order_by("name")


def active_types() -> QuerySet[TicketType]:
    return TicketType.objects.filter(is_active=True).order_by("name")


def active_priorities() -> QuerySet[Priority]:
    return Priority.objects.active().order_by("-order", "name")


def canned_for(*, user: User, ticket: Ticket) -> QuerySet[CannedResponse]:
    return CannedResponse.objects.available_to(user, ticket.department).order_by("title")


def search_customers(*, query: str, limit: int = 10) -> list[User]:
    """Customers whose name, email or mobile matches what staff typed (F07's "find the customer")."""
    from django.db.models import Q

    from helpdesk.persian import to_latin_digits

    query = " ".join(str(query or "").split())[:100]
    if len(query) < 2:
        return []
    latin = to_latin_digits(query)
    match = Q(full_name__icontains=query) | Q(email__icontains=query)
    if any(ch.isdigit() for ch in latin):
        match |= Q(mobile__contains="".join(ch for ch in latin if ch.isdigit()))
    return list(
        User.objects.filter(role="customer", is_active=True)
        .filter(match)
        .select_related("organisation")
        .order_by("full_name")[:limit]
    )

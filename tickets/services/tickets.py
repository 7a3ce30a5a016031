"""Creating and merging tickets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk import files
from helpdesk.l10n import isolate

from .. import events, hooks, permissions
from ..models import Channel, Department, Message, Priority, Status, Ticket, TicketType
from ..references import new_reference
from . import _common as c
from .errors import (
    ERR_AGENT_NOT_IN_DEPARTMENT,
    ERR_AGENT_NOT_STAFF,
    ERR_ATTACHMENT_REQUIRED,
    ERR_BODY_REQUIRED,
    ERR_CUSTOMER_FIELDS,
    ERR_DEPARTMENT_INACTIVE,
    ERR_DEPARTMENT_NOT_AVAILABLE,
    ERR_DEPARTMENT_REQUIRED,
    ERR_MERGE_INTERNAL,
    ERR_MERGE_REQUESTER,
    ERR_MERGE_SAME,
    ERR_PRIORITY_NOT_AVAILABLE,
    ERR_REQUESTER_MISMATCH,
    ERR_REQUESTER_REQUIRED,
    ERR_SUBJECT_REQUIRED,
    ERR_SUBJECT_TOO_LONG,
    ERR_TYPE_NOT_AVAILABLE,
    TicketError,
    TicketPermissionError,
)
from .fields import clean_tags
from .sla import sla_apply, sla_times_first_response

if TYPE_CHECKING:
    from accounts.models import User

REFERENCE_ATTEMPTS = 20
SUBJECT_MAX = cast(int, Ticket._meta.get_field("subject").max_length)  # a CharField's is set


def clean_subject(subject: str) -> str:
    subject = " ".join(str(subject or "").split())
    if not subject:
        raise TicketError(ERR_SUBJECT_REQUIRED, code="subject_required")
    if len(subject) > SUBJECT_MAX:
        raise TicketError(ERR_SUBJECT_TOO_LONG, code="subject_too_long", params={"limit": SUBJECT_MAX})
    return subject


def clean_body(body: str) -> str:
    body = str(body or "").strip()
    if not body:
        raise TicketError(ERR_BODY_REQUIRED, code="body_required")
    return body


def check_assignee(agent: User, department: Department) -> None:
    """`agent` may hold tickets of `department` (member or supervisor, or a manager/admin)."""
    if not (agent.is_active and permissions.is_staff_user(agent)):
        raise TicketError(ERR_AGENT_NOT_STAFF, code="agent_not_staff")
    if not permissions.can_assign_to(agent, department):
        raise TicketError(
            ERR_AGENT_NOT_IN_DEPARTMENT,
            code="agent_not_in_department",
            params={"agent": isolate(agent.full_name), "department": isolate(department.name)},
        )


def _save_with_reference(ticket: Ticket) -> None:
    """Insert with a fresh random reference; retry on the rare collision (unique constraint)."""
    for _attempt in range(REFERENCE_ATTEMPTS):
        ticket.reference = new_reference()
        if Ticket.objects.filter(reference=ticket.reference).exists():
            continue
        try:
            with transaction.atomic():  # a savepoint: a lost race doesn't break the outer transaction
                ticket.save(force_insert=True)
            return
        except IntegrityError:
            if not Ticket.objects.filter(reference=ticket.reference).exists():
                raise
            ticket.pk = None
    raise RuntimeError("Could not find a free ticket reference; widen tickets.references.LENGTH.")


def ticket_create(
    *,
    requester: User | None,
    department: Department | None,
    subject: str,
    body: str,
    type: TicketType | None = None,  # noqa: A002 - the domain's word
    priority: Priority | None = None,
    channel: str,
    attachments: Sequence = (),
    created_by: User | None,
    is_internal: bool = False,
    assignee: User | None = None,
    tags: Iterable[str] = (),
    message_id: str | None = None,
    first_response_due: datetime | None = None,
    resolution_due: datetime | None = None,
    sender_unverified: bool = False,
) -> Ticket:
    """File a ticket with its first (public) message.

    `created_by` is who did it (the customer on the portal, the agent filing on a customer's behalf, or None
    for the system — email/SMS in). Customers may only file for themselves, in public active departments and
    types, without internal/assignee/tags. Defaults: department ← the type's, priority ← the type's ← the
    default priority; organisation ← the requester's. Records `created`, runs the `on_ticket_created` hooks
    (automation's rules and round-robin), then notifies `created` from the ticket as the hooks left it.
    `sender_unverified`: the first message came by email from a sender whose authentication did not pass (email-in).
    """
    actor = created_by or requester
    staff = permissions.is_staff_user(actor)
    subject = clean_subject(subject)
    body = clean_body(body)
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")

    if type is not None and (not type.is_active or (not staff and not type.is_public)):
        raise TicketError(ERR_TYPE_NOT_AVAILABLE, code="type_not_available")
    if department is None and type is not None:
        department = type.default_department
    if department is None:
        raise TicketError(ERR_DEPARTMENT_REQUIRED, code="department_required")
    if not department.is_active:
        raise TicketError(ERR_DEPARTMENT_INACTIVE, code="department_inactive")
    if priority is None:
        priority = (type.default_priority if type is not None else None) or Priority.objects.default()
    elif not priority.is_active:
        raise TicketError(ERR_PRIORITY_NOT_AVAILABLE, code="priority_not_available")
    tag_names = clean_tags(tags)

    if not staff and created_by is not None:  # a customer on the portal (None: the system, e.g. email-in)
        if requester is None or requester.pk != created_by.pk:
            raise TicketPermissionError(ERR_REQUESTER_MISMATCH, code="requester_mismatch")
        if is_internal or assignee is not None or tag_names:
            raise TicketPermissionError(ERR_CUSTOMER_FIELDS, code="customer_fields")
        if not department.is_public:
            raise TicketError(ERR_DEPARTMENT_NOT_AVAILABLE, code="department_not_public")
    if requester is None and not is_internal:
        raise TicketError(ERR_REQUESTER_REQUIRED, code="requester_required")
    if is_internal and not staff:
        raise TicketPermissionError(ERR_CUSTOMER_FIELDS, code="customer_fields")
    if assignee is not None:
        check_assignee(assignee, department)
    if type is not None and type.attachment_required and not attachments:
        raise TicketError(ERR_ATTACHMENT_REQUIRED, code="attachment_required", params={"type": type.name})
    prepared = c.prepare_attachments(attachments)

    now = timezone.now()
    with files.atomic():  # its attachments' files go if it rolls back
        ticket = Ticket(
            subject=subject,
            requester=requester,
            organisation_id=requester.organisation_id if requester is not None else None,
            department=department,
            type=type,
            priority=priority,
            status=Status.NEW,
            assignee=assignee,
            channel=channel,
            is_internal=is_internal,
            created_by=created_by,
            first_response_due=first_response_due,
            resolution_due=resolution_due,
            created_at=now,
            last_activity_at=now,
        )
        sla_apply(ticket, now=now)  # due times from the SLA policy; explicit ones below win
        if first_response_due is not None:
            ticket.first_response_due = first_response_due
        if resolution_due is not None:
            ticket.resolution_due = resolution_due
        _save_with_reference(ticket)
        message = c.message_create(
            ticket=ticket,
            author=created_by or requester,
            body=body,
            channel=channel,
            created_at=now,
            message_id=message_id,
            sender_unverified=sender_unverified,
        )
        c.save_attachments(message, prepared)
        if tag_names:
            ticket.tags.set(tag_names)
        ticket.search_document = c.search_text([*c.search_head(ticket), body])
        ticket.save(update_fields=["search_document"])
        created = events.event_created(ticket=ticket, actor=created_by)  # first on the timeline
        # Apps that tickets doesn't import (automation rules, routing) act here, in the same transaction.
        if hooks.run_ticket_created(ticket):
            ticket.refresh_from_db()
        # Notified once the rules ran: who hears of the new ticket, and what they read (its department, the link),
        # is the ticket as it ends up (`created.ticket` is this ticket, refreshed).
        c.emit(created)
    return ticket


def ticket_rebuild_search_document(*, ticket: Ticket) -> None:
    """Recompute the search text from the ticket, its requester and its public messages."""
    with transaction.atomic():
        locked = c.lock(ticket)
        c.rebuild_search_document(locked)
        locked.save(update_fields=["search_document"])


# Tickets re-derived per round of `requester_search_refresh`: one query for their messages, one UPDATE (SQLite binds
# at most 999 parameters and Django's bulk_update uses three per row, so 300 rows stay one statement there too).
SEARCH_REFRESH_BATCH = 300


def requester_tickets_lock(*, requester: User) -> None:
    """Lock the tickets `requester` filed, in primary-key order (one query), before their user row is locked: the
    ticket services lock a ticket first and then need the user row, so this keeps the same order (the
    `accounts.hooks` "contact changing" hook; `requester_search_refresh` then writes them)."""
    list(Ticket.objects.select_for_update().filter(requester=requester).order_by("pk").values_list("pk", flat=True))


def requester_search_refresh(*, requester: User) -> int:
    """Re-derive the search text of every ticket `requester` filed, after their name, email or mobile changed
    (the `accounts.hooks` "contact changed" hook, run inside `accounts.services.user_update`'s transaction).

    The same text as `ticket_rebuild_search_document` gives each of them (merged tickets too: their messages moved
    to the target, so theirs is the head alone, as `ticket_merge` left it). Set-wise: one query locks the tickets
    (in primary-key order, as `ticket_merge` does, so a reply cannot slip a message in between the read and the
    write; already held when `requester_tickets_lock` ran first), then per `SEARCH_REFRESH_BATCH` tickets one query
    reads their public messages and one UPDATE writes the texts — 1 + 2 × ⌈N / 300⌉ queries for N tickets, one for
    none. Returns N. Tickets an agent only answered are not the requester's and keep their text."""
    with transaction.atomic():
        rows = list(
            Ticket.objects.select_for_update()
            .filter(requester=requester)
            .order_by("pk")
            .values_list("pk", "reference", "subject")
        )
        for start in range(0, len(rows), SEARCH_REFRESH_BATCH):
            batch = rows[start : start + SEARCH_REFRESH_BATCH]
            bodies = c.public_bodies(pk for pk, _reference, _subject in batch)
            tickets = []
            for pk, reference, subject in batch:
                ticket = Ticket(pk=pk, reference=reference, subject=subject, requester=requester)
                ticket.search_document = c.search_document_of(ticket, bodies.get(pk, ()))
                tickets.append(ticket)
            Ticket.objects.bulk_update(tickets, ["search_document"])
    return len(rows)


def ticket_merge(*, source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Merge a duplicate into another ticket: the source's messages (with attachments), followers and tags move
    to the target; the source is closed with `merged_into`; both get a `merged` event. Only tickets of the same
    requester (or two internal tickets) merge, so nobody gains sight of another customer's thread."""
    if source.pk == target.pk:
        raise TicketError(ERR_MERGE_SAME, code="merge_same")
    with transaction.atomic():
        # Lock in primary-key order so two opposite merges can't deadlock.
        first, second = sorted([source.pk, target.pk])
        locked = {first: c.lock(first), second: c.lock(second)}
        source, target = locked[source.pk], locked[target.pk]
        c.require(permissions.can_merge(actor, source), source)
        c.require(permissions.can_merge(actor, target), target)
        if source.is_internal and not target.is_internal:
            raise TicketError(ERR_MERGE_INTERNAL, code="merge_internal")
        if not (source.is_internal and target.is_internal) and source.requester_id != target.requester_id:
            raise TicketError(ERR_MERGE_REQUESTER, code="merge_requester")

        now = timezone.now()
        Message.objects.filter(ticket=source).update(ticket=target)
        target.followers.add(*source.followers.all())
        source_tags = list(source.tags.names())
        if source_tags:
            target.tags.add(*source_tags)
        fields = ["search_document", "last_activity_at"]
        if source.first_response_at and (
            not target.first_response_at or source.first_response_at < target.first_response_at
        ):
            target.first_response_at = source.first_response_at
            fields += ["first_response_at", *sla_times_first_response(target)]
        target.last_activity_at = now
        c.rebuild_search_document(target)
        target.save(update_fields=fields)

        source.merged_into = target
        c.set_status(source, Status.CLOSED, actor=actor, now=now)  # the timeline shows it; `merged` notifies
        c.rebuild_search_document(source)
        source.save(update_fields=["merged_into", "search_document"])
        c.emit(events.event_merged(ticket=source, actor=actor, other=target, direction="into"))
        c.emit(events.event_merged(ticket=target, actor=actor, other=source, direction="from"))
    return target

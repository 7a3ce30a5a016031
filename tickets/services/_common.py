"""Helpers shared by the ticket services: the status machine (locking, permission errors, the one status-changing
function), attachments, search text."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from helpdesk import files
from helpdesk.markdown import render_markdown
from helpdesk.persian import normalize
from helpdesk.statemachine import Machine
from helpdesk.uploads import UploadCheck, prepare_upload
from notifications import outbox

from .. import events
from ..models import ALLOWED_TRANSITIONS, Attachment, Message, Status, Ticket, TicketEvent
from .errors import ERR_CLOSED, ERR_NOT_ALLOWED, ERR_TRANSITION, TicketError, TicketPermissionError

if TYPE_CHECKING:
    from accounts.models import User

# PostgreSQL refuses tsvectors over 1 MB; keep the search text well below (the head holds reference, subject,
# requester and the first messages, which is what people search for).
SEARCH_DOCUMENT_LIMIT = 200_000


def _refusal(ticket: Ticket | None) -> TicketPermissionError:
    """The permission error (closed tickets get their own message)."""
    if ticket is not None and ticket.status == Status.CLOSED:
        return TicketPermissionError(ERR_CLOSED, code="closed")
    return TicketPermissionError(ERR_NOT_ALLOWED, code="not_allowed")


# The status machine (F12): the table is `ALLOWED_TRANSITIONS`; every status change is `set_status`.
STATUS = Machine(
    model=Ticket,
    field="status",
    transitions=ALLOWED_TRANSITIONS,
    choices=Status,
    error=TicketError,
    message=ERR_TRANSITION,
    forbidden=_refusal,
)


def lock(ticket: Ticket | int) -> Ticket:
    """The ticket row, re-read and locked until the end of the transaction. Call inside `transaction.atomic()`."""
    return STATUS.lock(ticket)


def require(allowed: bool, ticket: Ticket | None = None) -> None:
    """Raise the right error when a permission check failed (closed tickets get their own message)."""
    if not allowed:
        raise _refusal(ticket)


def allowed(check: Callable[[User, Ticket], bool], actor: User | None, ticket: Ticket) -> bool:
    """`check(actor, ticket)` from `tickets.permissions`, except that `actor=None` is the system (automation
    rules acting on a new ticket, email/SMS in): it is trusted like a manager, but a closed ticket stays read-only
    for it too. Views always pass a user (never None), so no request reaches this path."""
    if actor is None:
        return ticket.status != Status.CLOSED
    return check(actor, ticket)


def emit(event: TicketEvent) -> TicketEvent:
    """Hand an event to the notifications entry point (inside the caller's transaction)."""
    outbox.notify(event)
    return event


def emit_many(built: Iterable[TicketEvent]) -> None:
    """`emit` for a batch of saved events (their notifications in one bulk insert)."""
    outbox.notify_many(built)


def set_status(ticket: Ticket, new: str, *, actor: User | None, now: datetime | None = None) -> TicketEvent | None:
    """THE function that changes a ticket's status: the status machine's step (`ALLOWED_TRANSITIONS`), keeping
    the timestamps (resolved_at, closed_at, last_activity_at) and the SLA clock in step, saving only those fields
    and recording a `status` event.

    Call while holding the row lock (`lock()`), after the action's permission check. Returns the event, or None
    when the status is unchanged. The caller decides whether to `emit()` it (a reply that reopens a ticket
    notifies once, as a reply).
    """
    if new == ticket.status:
        return None
    now = now or timezone.now()
    from .sla import sla_on_status, sla_times_resolution  # the SLA clock pauses and resumes with the status

    def change(ticket: Ticket) -> list[str]:
        old = ticket.status
        ticket.last_activity_at = now
        fields = ["last_activity_at", *sla_on_status(ticket, old=old, new=new, now=now)]
        if new == Status.RESOLVED:
            ticket.resolved_at = now
            fields += ["resolved_at", *sla_times_resolution(ticket)]
        elif new == Status.CLOSED:
            ticket.closed_at = now
            fields.append("closed_at")
            if ticket.resolved_at is None:
                ticket.resolved_at = now
                fields += ["resolved_at", *sla_times_resolution(ticket)]
        elif old == Status.RESOLVED:  # reopened
            ticket.resolved_at = None
            ticket.reopen_count += 1
            fields += ["resolved_at", "reopen_count", *sla_times_resolution(ticket)]
        return fields

    return STATUS.advance(
        ticket,
        new,
        change=change,
        record=lambda ticket, old: events.event_status(ticket=ticket, actor=actor, old=old, new=new),
    )


def message_create(*, ticket: Ticket, body: str, **fields: object) -> Message:
    """Write a message of the thread: the one path that stores a body, so its sanitised HTML is rendered here,
    once (`manage.py rebuild_message_html` renders them all again when the renderer changes)."""
    return Message.objects.create(ticket=ticket, body=body, body_html=render_markdown(body), **fields)


def prepare_attachments(files: Sequence) -> list[tuple[UploadCheck, object]]:
    """Validate every upload before anything is written, so one bad file leaves nothing behind."""
    return [prepare_upload(f) for f in files or ()]


def save_attachments(message: Message, prepared: Iterable[tuple[UploadCheck, object]]) -> list[Attachment]:
    saved = []
    for check, content in prepared:
        attachment = Attachment(
            message=message,
            original_name=check.name,
            content_type=check.content_type,
            size=check.size,
            inline_safe=check.inline_safe,
        )
        # The name only carries the extension; `attachment_upload_to` makes the random stored name. Call inside
        # `files.atomic()`: the file is deleted again if the transaction rolls back.
        files.save(attachment.file, f"upload.{check.ext}", content)
        attachment.save()
        saved.append(attachment)
    return saved


def search_head(ticket: Ticket) -> list[str]:
    parts = [ticket.reference, ticket.subject]
    requester = ticket.requester
    if requester is not None:
        parts += [requester.full_name, requester.email or "", requester.mobile or ""]
    return parts


def search_text(parts: Iterable[str]) -> str:
    text = " ".join(normalize(p) for p in parts if p)
    return text[:SEARCH_DOCUMENT_LIMIT]


def search_append(ticket: Ticket, body: str) -> None:
    """Add a public message's text to the ticket's search text (caller saves `search_document`)."""
    if len(ticket.search_document) < SEARCH_DOCUMENT_LIMIT:
        ticket.search_document = search_text([ticket.search_document, body])


def public_bodies(ticket_ids: Iterable[int]) -> dict[int, list[str]]:
    """The public messages' bodies of each ticket, in thread order (one query)."""
    bodies: dict[int, list[str]] = {}
    rows = Message.objects.filter(ticket_id__in=list(ticket_ids), is_internal=False).order_by(
        "ticket_id", "created_at", "pk"
    )
    for ticket_id, body in rows.values_list("ticket_id", "body"):
        bodies.setdefault(ticket_id, []).append(body)
    return bodies


def search_document_of(ticket: Ticket, bodies: Iterable[str]) -> str:
    """The whole search text: the head (`search_head`), then the public messages' bodies."""
    return search_text([*search_head(ticket), *bodies])


def rebuild_search_document(ticket: Ticket) -> str:
    ticket.search_document = search_document_of(ticket, public_bodies([ticket.pk]).get(ticket.pk, ()))
    return ticket.search_document

"""The thread: public replies and internal notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from helpdesk import files
from helpdesk.markdown import render_markdown

from .. import events, permissions
from ..models import Channel, Message, Status, Ticket
from . import _common as c
from .errors import ERR_STATUS_BY_CUSTOMER, TicketPermissionError
from .sla import sla_on_first_response, sla_times_first_response
from .tickets import clean_body

if TYPE_CHECKING:
    from accounts.models import User


def _customer_side(author: User | None, ticket: Ticket) -> bool:
    """A reply from the customer's side: a customer, or the requester of an internal ticket."""
    return not permissions.is_staff_user(author) or author.pk == ticket.requester_id


def reply_add(
    *,
    ticket: Ticket,
    author: User | None,
    body: str,
    attachments: Sequence = (),
    channel: str = Channel.WEB,
    status: str | None = None,
    message_id: str | None = None,
) -> Message:
    """Add a public reply. Returns the message (`message.ticket` is the updated ticket).

    Staff: the first staff reply sets `first_response_at`; a `new` ticket becomes `open`; `status` (e.g.
    `waiting` or `resolved`) may be set in the same step. Customer side: a `resolved` or `waiting` ticket goes
    back to `open`. Closed tickets take no replies. Records `replied` (with any status change in its data; the
    `status` event is on the timeline but only the reply is notified).

    `author=None` is the system (an automation rule's canned auto-reply): an automatic answer is not a first
    response and changes no status unless `status` is given.
    """
    body = clean_body(body)
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    prepared = c.prepare_attachments(attachments)
    with files.atomic():  # its attachments' files go if it rolls back
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_reply, author, ticket), ticket)
        system = author is None
        customer_side = not system and _customer_side(author, ticket)
        if status is not None and customer_side:
            raise TicketPermissionError(ERR_STATUS_BY_CUSTOMER, code="status_by_customer")

        if system:
            new_status = status
        elif customer_side:
            new_status = Status.OPEN if ticket.status in (Status.RESOLVED, Status.WAITING) else None
        else:
            new_status = status or (Status.OPEN if ticket.status == Status.NEW else None)
        if new_status == ticket.status:
            new_status = None
        if new_status is not None:
            c.STATUS.check(ticket, new_status)  # refuse before writing anything

        now = timezone.now()
        message = c.message_create(
            ticket=ticket, author=author, body=body, channel=channel, created_at=now, message_id=message_id
        )
        c.save_attachments(message, prepared)

        fields = ["last_activity_at", "search_document"]
        ticket.last_activity_at = now
        if not customer_side and not system and ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
            fields += sla_on_first_response(ticket)
            fields += sla_times_first_response(ticket)
        c.search_append(ticket, body)
        ticket.save(update_fields=fields)

        event = events.event_replied(
            ticket=ticket, actor=author, message=message, old_status=ticket.status, new_status=new_status
        )
        if new_status is not None:
            c.set_status(ticket, new_status, actor=author, now=now)  # on the timeline; the reply is what notifies
        c.emit(event)
    message.ticket = ticket
    return message


def note_add(
    *, ticket: Ticket, author: User | None, body: str, attachments: Sequence = (), sender_unverified: bool = False
) -> Message:
    """Add an internal note (staff only, never shown to customers). Records `noted`.

    Notes don't change `last_activity_at` (customers would see activity they can't read) or the search text.
    `author=None` is the system (e.g. email-in noting the attachments it refused, or keeping as a note an email
    from a staff address whose sender is not verified: `sender_unverified`).
    """
    body = clean_body(body)
    prepared = c.prepare_attachments(attachments)
    with files.atomic():  # its attachments' files go if it rolls back
        ticket = c.lock(ticket)
        c.require(c.allowed(permissions.can_note, author, ticket))
        message = c.message_create(
            ticket=ticket,
            author=author,
            body=body,
            is_internal=True,
            channel=Channel.STAFF,
            sender_unverified=sender_unverified,
        )
        c.save_attachments(message, prepared)
        c.emit(events.event_noted(ticket=ticket, actor=author, message=message))
    message.ticket = ticket
    return message


HTML_BATCH = 1000


def message_rebuild_html(*, batch_size: int = HTML_BATCH, model: type[Message] = Message) -> int:
    """Render every stored message body again (after a change of the Markdown renderer or the sanitiser), in
    batches of `batch_size` rows by primary key, each batch in its own short transaction. Only rows whose HTML
    changes are written, so a second run writes nothing. Returns the number of rows written.

    `model` is the migration's historical model when the back-fill migration calls it."""
    written, last = 0, 0
    while True:
        rows = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "body", "body_html")[:batch_size]
        )
        if not rows:
            return written
        changed = []
        for pk, body, stored in rows:
            html = str(render_markdown(body))
            if html != stored:
                changed.append(model(pk=pk, body_html=html))
        with transaction.atomic():
            model.objects.bulk_update(changed, ["body_html"])
        written += len(changed)
        last = rows[-1][0]

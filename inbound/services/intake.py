"""The one path of every channel: a stored message becomes a reply to the ticket it answers or a new ticket, and
its row records the outcome (or the refusal and why). Each channel (`mail`, `sms`) only reads its message into an
`Intake`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import customer_create
from tickets import permissions
from tickets.models import Department, Ticket
from tickets.services import note_add, reply_add, ticket_create

from ..models import InboundMessage, State

logger = logging.getLogger(__name__)

CREATE = "create"


class Refused(Exception):
    """The message is not taken (the reason is stored on the row)."""


class Ignored(Exception):
    """An automatic message (a loop we must not answer); the reason is stored on the row."""


@dataclass(frozen=True)
class Intake:
    """One stored message as the shared path needs it; each channel fills in what differs."""

    channel: str
    user: User | None  # the sender's account, if they have one
    ticket: Ticket | None  # the ticket the message says it answers, if any
    body: str
    subject: str  # of a new ticket
    department: Department | None  # of a new ticket
    no_department: str  # the refusal when there is no department
    customer: dict[str, str]  # `customer_create` arguments for an unknown sender
    reply_body: str = ""  # the body of a reply when it differs from `body`
    attachments: list = field(default_factory=list)
    refused_attachments: list[str] = field(default_factory=list)
    message_id: str | None = None


def department_setting(value) -> Department | None:
    """The active department a setting names (by id or name), or None."""
    value = str(value or "").strip()
    if not value:
        return None
    active = Department.objects.filter(is_active=True)
    if value.isdigit():
        found = active.filter(pk=int(value)).first()
        if found is not None:
            return found
    return active.filter(name=value).first()


def _customer_for(*, full_name: str, email: str | None = None, mobile: str | None = None) -> User:
    if getattr(settings, "INBOUND_UNKNOWN_SENDERS", CREATE) != CREATE:
        raise Refused(_("Unknown sender; INBOUND_UNKNOWN_SENDERS is 'refuse'."))
    try:
        return customer_create(full_name=full_name or email or mobile or "", email=email, mobile=mobile)
    except ValidationError as exc:
        raise Refused(_("The sender could not be registered: %(error)s") % {"error": "; ".join(exc.messages)}) from exc


def store(model: type[InboundMessage], *, defaults: dict, **key: str) -> tuple:
    """Store a message once by its provider's key. Returns (row, created); a repeat returns the stored row."""
    try:
        with transaction.atomic():
            return model.objects.get_or_create(**key, defaults=defaults)
    except IntegrityError:  # a concurrent delivery of the same message won the race
        return model.objects.get(**key), False


def _finish(row: InboundMessage, *, state: str, reason: str = "", ticket: Ticket | None = None) -> None:
    row.state = state
    row.reason = reason
    row.ticket = ticket
    row.save(update_fields=["state", "reason", "ticket"])


def _take(intake: Intake) -> tuple[str, Ticket]:
    """The one path of every channel: a reply to the ticket the message answers when the sender may reply to it,
    otherwise a new ticket (registering an unknown sender). Returns the outcome and the ticket."""
    user, ticket = intake.user, intake.ticket
    if ticket is not None and user is not None and permissions.can_reply(user, ticket):
        ticket = reply_add(
            ticket=ticket,
            author=user,
            body=intake.reply_body or intake.body,
            attachments=intake.attachments,
            channel=intake.channel,
            message_id=intake.message_id,
        ).ticket
        state = State.REPLY
    else:
        if intake.department is None:
            raise Refused(intake.no_department)
        ticket = ticket_create(
            requester=user or _customer_for(**intake.customer),
            department=intake.department,
            subject=intake.subject,
            body=intake.body,
            channel=intake.channel,
            attachments=intake.attachments,
            created_by=None,
            message_id=intake.message_id,
        )
        state = State.TICKET
    _note_refused(ticket, intake.refused_attachments)
    return state, ticket


def process(row: InboundMessage, intake: Callable[[], Intake]) -> None:
    """Take a stored message (its channel's `intake()` reads it) and record the outcome on its row. A refusal or an
    invalid message is recorded with its reason, never raised (the provider must not retry it)."""
    try:
        with transaction.atomic():
            state, ticket = _take(intake())
            _finish(row, state=state, ticket=ticket)
    except Ignored as exc:
        _finish(row, state=State.IGNORED, reason=str(exc))
    except Refused as exc:
        _finish(row, state=State.REFUSED, reason=str(exc))
    except (ValidationError, ValueError) as exc:
        logger.warning("inbound %s %s not taken: %s", row._meta.model_name, row.pk, exc)
        _finish(row, state=State.FAILED, reason=str(exc))


def _note_refused(ticket: Ticket, refused: list[str]) -> None:
    """Tell the staff (an internal note by the system) which attachments were not taken; the sender's public
    message stays as they wrote it."""
    if refused:
        note_add(ticket=ticket, author=None, body=_("Attachments not accepted:") + "\n" + "\n".join(refused))

"""The one path of every channel: a stored message becomes a reply to the ticket it answers or a new ticket. Each
channel (`mail`, `sms`) only stores its message and reads a stored one into an `Intake`; `processing` runs it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import customer_create
from notifications import outbox
from tickets import permissions
from tickets.models import Department, Ticket
from tickets.services import note_add, reply_add, ticket_create

from ..events import event_held
from ..models import InboundEmail, InboundSms, State

logger = logging.getLogger(__name__)
Row = TypeVar("Row", InboundEmail, InboundSms)

CREATE = "create"
# Publishing gives up quickly when the broker is down: the row is stored and the sweep queues it again.
_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


class Refused(Exception):
    """The message is not taken (the reason is stored on the row)."""


class Ignored(Exception):
    """An automatic message (a loop we must not answer); the reason is stored on the row."""


class Spam(Exception):
    """The provider (or its spam score) says it is spam: it is kept, never posted; the reason is stored on the row."""


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
    # Whether the sender is who the message says (email: DMARC or aligned DKIM passed; SMS: the gateway names the
    # number), and why not; a message that came to our signed reply address of `ticket` (`via_reply_token`) is taken
    # from a customer even so. See `take`.
    sender_verified: bool = True
    unverified_reason: str = ""
    via_reply_token: bool = False
    recorded: dict[str, str] = field(default_factory=dict)  # fields of the row written with the outcome


def clean_text(value: object) -> str:
    """`value` as text every database stores: no NUL character, no lone surrogate (bytes a parser could not decode
    come back as bytes and, when they are not UTF-8, become U+FFFD)."""
    text = "" if value is None else str(value)
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no decoder made (e.g. a JSON "\ud800")
        data = text.encode("utf-8", "replace")
    return data.decode("utf-8", "replace").replace("\x00", "")


def lease() -> timedelta:
    """How long a claimed (or queued) row is left alone by the sweep."""
    return timedelta(seconds=int(getattr(settings, "INBOUND_LEASE_SECONDS", 120)))


def department_setting(value: object) -> Department | None:
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


# --- storing and queueing -------------------------------------------------------------------------------------


def store(model: type[Row], *, defaults: dict, **key: str) -> tuple[Row, bool]:
    """Store a message once by its provider's key and queue its processing after commit. Returns (row, created); a
    repeat (a provider's retry; the SMS callback and the polling both delivering one message) changes nothing."""
    try:
        with transaction.atomic():
            row, created = model.objects.get_or_create(
                **key, defaults={**defaults, "lease_until": timezone.now() + lease()}
            )
            if created:
                transaction.on_commit(partial(enqueue, cast(str, model._meta.model_name), [row.pk]), robust=True)
            return row, created
    except IntegrityError:  # a concurrent delivery of the same message won the race
        return model.objects.get(**key), False


def enqueue(kind: str, ids: Iterable[int]) -> int:
    """Queue the processing of stored rows; returns how many were queued. Stops at the first broker error (logged,
    not raised: the rows stay `received` for the sweep). Without a broker (eager mode) each runs here and now."""
    from inbound.tasks import process_inbound

    count = 0
    for pk in ids:
        try:
            process_inbound.apply_async((kind, pk), retry=True, retry_policy=_PUBLISH_RETRY_POLICY)
        except Exception as exc:
            logger.warning("Broker unavailable, inbound %s %s waits for the sweep: %s", kind, pk, exc)
            break
        count += 1
    return count


# --- taking a message -------------------------------------------------------------------------------------------


def _customer_for(*, full_name: str, email: str | None = None, mobile: str | None = None) -> User:
    if getattr(settings, "INBOUND_UNKNOWN_SENDERS", CREATE) != CREATE:
        raise Refused(_("Unknown sender; INBOUND_UNKNOWN_SENDERS is 'refuse'."))
    try:
        return customer_create(full_name=full_name or email or mobile or "", email=email, mobile=mobile)
    except ValidationError as exc:
        raise Refused(_("The sender could not be registered: %(error)s") % {"error": "; ".join(exc.messages)}) from exc


def take(intake: Intake) -> tuple[str, Ticket, str]:
    """The one path of every channel. Returns the outcome, the ticket and the reason to store with it. Call it in
    the transaction that records the outcome.

    A message to a ticket its sender may reply to is a reply when the sender is verified. When not: from a staff
    address it never becomes a public staff reply but an internal note marked "unverified sender"; from a customer
    it is a reply only through our signed reply address (`via_reply_token`), otherwise it is held for the staff to
    accept or reject (`inbound.services.held`). Any other message is a new ticket (registering an unknown sender);
    an unverified one is filed all the same, its first message marked for the staff: email is an open door to a
    helpdesk, and a held new ticket would lose a real customer's first mail for as long as nobody looks, while a
    forged one costs only a mark the agent sees before acting on it.
    """
    user, ticket = intake.user, intake.ticket
    reason = "" if intake.sender_verified else intake.unverified_reason
    if ticket is not None and user is not None and permissions.can_reply(user, ticket):
        if not intake.sender_verified and permissions.is_staff_user(user):
            state, ticket = State.NOTE, _note_unverified(intake, ticket, user)
        elif intake.sender_verified or intake.via_reply_token:
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
            outbox.notify(event_held(ticket=ticket, sender=user.email or "", subject=intake.subject))
            return State.HELD, ticket, reason
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
            sender_unverified=not intake.sender_verified,
        )
        state = State.TICKET
    note_refused(ticket, intake.refused_attachments)
    return state, ticket, reason


def _note_unverified(intake: Intake, ticket: Ticket, user: User) -> Ticket:
    """An email from a staff address whose sender is not verified, kept as the system's internal note."""
    heading = _("An email from %(sender)s, kept as an internal note: its sender could not be verified.") % {
        "sender": user.email
    }
    return note_add(
        ticket=ticket,
        author=None,
        body=heading + "\n\n" + (intake.reply_body or intake.body),
        attachments=intake.attachments,
        sender_unverified=True,
    ).ticket


def note_refused(ticket: Ticket, refused: list[str]) -> None:
    """Tell the staff (an internal note by the system) which attachments were not taken; the sender's public
    message stays as they wrote it."""
    if refused:
        note_add(ticket=ticket, author=None, body=_("Attachments not accepted:") + "\n" + "\n".join(refused))

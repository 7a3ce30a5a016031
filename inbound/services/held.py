"""Customer emails held because their sender could not be verified (see `intake.take`): a staff member who may
reply to the ticket accepts one, and it is posted as the customer's reply through `reply_add`, once; or rejects
it, and it is discarded. Each decision is one transaction, on the ticket's timeline with who took it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from helpdesk import files
from tickets import permissions
from tickets.models import Channel, Message, Ticket
from tickets.services import reply_add

from ..events import event_decided
from ..models import InboundEmail, State
from . import mail
from .intake import note_refused

ERR_DECIDED = gettext_lazy("This email was already accepted or rejected.")
ERR_NOT_ALLOWED = gettext_lazy("You may not decide on this email.")
ERR_NO_ACCOUNT = gettext_lazy("The sender of this email has no account any more; it cannot be posted as their reply.")


def may_decide(user: User | Any, ticket: Ticket) -> bool:
    """Staff who may reply to the ticket decide on its held emails."""
    return permissions.is_staff_user(user) and permissions.can_reply(user, ticket)


def emails_on_visible_tickets(*, user: User | Any) -> QuerySet[InboundEmail]:
    """The inbound emails on tickets `user` sees (none for a customer): those a decision may be asked about (one
    decided already is answered `ERR_DECIDED`); `may_decide` still applies to each ticket."""
    if not permissions.is_staff_user(user):
        return InboundEmail.objects.none()
    return InboundEmail.objects.filter(ticket__in=permissions.visible_tickets(user))


def _lock(inbound: InboundEmail, actor: User) -> tuple[InboundEmail, Ticket]:
    """The row (locked) and its ticket, while it is still held and `actor` may decide on it (call inside the
    transaction)."""
    row = (
        InboundEmail.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(pk=inbound.pk, state=State.HELD)
        .first()
    )
    ticket = row.ticket if row is not None else None
    if row is None or ticket is None:
        raise ValidationError(ERR_DECIDED, code="decided")
    if not may_decide(actor, ticket):
        raise ValidationError(ERR_NOT_ALLOWED, code="not_allowed")
    return row, ticket


def held_accept(*, inbound: InboundEmail, actor: User) -> Message:
    """Post a held email as its sender's reply (held → reply). Raises `ValidationError` when it was decided
    already, `actor` may not, the sender's account is gone or the ticket takes no reply from them any more."""
    with files.atomic():  # the reply's attachments' files go if it rolls back
        row, ticket = _lock(inbound, actor)
        intake = mail.read(row, decided=True)
        if intake.user is None:
            raise ValidationError(ERR_NO_ACCOUNT, code="no_account")
        message = reply_add(
            ticket=ticket,
            author=intake.user,
            body=intake.body,
            attachments=intake.attachments,
            channel=Channel.EMAIL,
            message_id=row.message_id,
        )
        note_refused(message.ticket, intake.refused_attachments)
        _decided(row, ticket, actor=actor, state=State.REPLY)
    return message


def held_reject(*, inbound: InboundEmail, actor: User) -> None:
    """Discard a held email (held → rejected); it stays in the admin's inbound emails."""
    with transaction.atomic():
        row, ticket = _lock(inbound, actor)
        _decided(row, ticket, actor=actor, state=State.REJECTED)


def _decided(row: InboundEmail, ticket: Ticket, *, actor: User, state: str) -> None:
    accepted = state == State.REPLY
    fmt = _("Accepted by %(name)s. %(reason)s") if accepted else _("Rejected by %(name)s. %(reason)s")
    row.state, row.reason = state, (fmt % {"name": actor.full_name or actor.email, "reason": row.reason})[:2000]
    row.save(update_fields=["state", "reason"])
    event_decided(ticket=ticket, actor=actor, accepted=accepted, inbound_id=row.pk, sender=row.sender)

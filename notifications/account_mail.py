"""The outbox side of account emails and SMS (`accounts.mail`: the password reset, the sign-up code and link): one
row, written in the caller's transaction, delivered by the worker after commit and retried like every other.

The text was rendered by the accounts app (its own templates, in the account owner's language); the row carries
it as it is. Preferences do not apply: a password reset or a sign-up code goes to whoever asked for it, whatever
they chose for ticket news. A sign-up code or link goes to a number or address that has no account yet: its row
has no recipient.
Every such row is `confidential` (codes and links): the outbox admin masks them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import make_msgid
from django.db import transaction
from django.utils import timezone

from . import outbox
from .models import Notification

if TYPE_CHECKING:
    from accounts.models import User


def account_email_queue(
    *, user: User | None = None, email: str | None = None, subject: str, body: str, html: str = "", kind: str
) -> Notification:
    address = email or (user.email if user is not None else None)
    if not address:
        raise ValueError("an account email needs `email` or a user with an email address")
    now = timezone.now()
    row = Notification(
        recipient=user,
        channel=Notification.Channel.EMAIL,
        kind=kind,
        address=address,
        subject=subject[:255],
        body=body,
        html=html,
        confidential=True,
        provider_message_id=make_msgid(idstring="account", domain=settings.MAIL_ID_DOMAIN),
        created_at=now,
        touched_at=now,
    )
    with transaction.atomic():
        outbox._write([row])  # the outbox's one way in: the row, then its delivery task after commit
    return row


def account_sms_queue(*, mobile: str, body: str, kind: str, user: User | None = None) -> Notification:
    now = timezone.now()
    row = Notification(
        recipient=user,
        channel=Notification.Channel.SMS,
        kind=kind,
        address=mobile,
        body=body,
        confidential=True,
        created_at=now,
        touched_at=now,
    )
    with transaction.atomic():
        outbox._write([row])  # the outbox's one way in: the row, then its delivery task after commit
    return row

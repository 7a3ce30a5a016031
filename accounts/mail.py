"""Emails and SMS about the account itself (the password reset, the sign-up code and link): rendered here, sent
through the outbox.

`accounts` (floor 2) cannot import `notifications` (floor 3), so the sending functions are extension points that
the notifications app fills from its `AppConfig.ready()` (`notifications/account_mail.py`): the message becomes an
outbox row in the caller's transaction and leaves after the commit, retried like every other. Nothing is sent
inside the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import User

Sender = Callable[..., object]

_sender: Sender | None = None
_sms_sender: Sender | None = None


def register_sender(sender: Sender) -> None:
    """`sender(*, user, email, subject, body, html, kind)` queues the email (called by the notifications app)."""
    global _sender
    _sender = sender


def register_sms_sender(sender: Sender) -> None:
    """`sender(*, mobile, body, kind, user)` queues the SMS (called by the notifications app)."""
    global _sms_sender
    _sms_sender = sender


def account_email_send(
    *, user: User | None = None, email: str | None = None, subject: str, body: str, html: str = "", kind: str
) -> None:
    """Queue an email to `user`'s address (or to `email`, for an address with no account yet, e.g. a sign-up
    link), already rendered in their language; it leaves after the current transaction commits (call inside the
    transaction that decided to send it). The sender refuses an email with neither address (ValueError)."""
    if _sender is None:
        raise ImproperlyConfigured("No account email sender is registered: is the notifications app installed?")
    _sender(user=user, email=email, subject=subject, body=body, html=html, kind=kind)


def account_sms_send(*, mobile: str, body: str, kind: str, user: User | None = None) -> None:
    """Queue an SMS to `mobile` (the account's `user`, or None for a number with no account yet, e.g. a sign-up
    code); it leaves after the current transaction commits (call inside the transaction that decided to send it)."""
    if _sms_sender is None:
        raise ImproperlyConfigured("No account SMS sender is registered: is the notifications app installed?")
    _sms_sender(mobile=mobile, body=body, kind=kind, user=user)

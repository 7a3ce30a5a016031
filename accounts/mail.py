"""Emails about the account itself (the password reset): rendered here, sent through the outbox.

`accounts` (floor 2) cannot import `notifications` (floor 3), so the sending function is an extension point that
the notifications app fills from its `AppConfig.ready()` (`notifications/account_mail.py`): the email becomes an
outbox row in the caller's transaction and leaves after the commit, retried like every email. Nothing is sent
inside the request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

Sender = Callable[..., object]

_sender: Sender | None = None


def register_sender(sender: Sender) -> None:
    """`sender(*, user, subject, body, html, kind)` queues the email (called by the notifications app)."""
    global _sender
    _sender = sender


def account_email_send(*, user, subject: str, body: str, html: str = "", kind: str) -> None:
    """Queue an email to `user`'s address, already rendered in their language; it leaves after the current
    transaction commits (call inside the transaction that decided to send it)."""
    if _sender is None:
        raise ImproperlyConfigured("No account email sender is registered: is the notifications app installed?")
    _sender(user=user, subject=subject, body=body, html=html, kind=kind)

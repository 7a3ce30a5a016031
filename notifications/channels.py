"""Sending one outbox row on its channel, and what a provider's error means for it.

Each sender returns the provider's message id, or raises one of:
`RetryLater` (network, timeout, 5xx, "try later": back off and try again), `Undeliverable` (this message can never
go: bad address, rejected recipient) or `Park` (the account or configuration needs a person: no credit, bad key).
"""

from __future__ import annotations

import logging
import smtplib
import socket
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.utils.html import strip_tags

from helpdesk import sms
from helpdesk.site import get_site_settings

from .models import Notification

logger = logging.getLogger("notifications")


class DeliveryError(Exception):
    def __init__(self, reason: str):
        self.reason = (reason or type(self).__name__)[:2000]
        super().__init__(self.reason)


class RetryLater(DeliveryError):
    pass


class Undeliverable(DeliveryError):
    pass


class Park(DeliveryError):
    pass


# --- email ----------------------------------------------------------------------------------------------------


def from_address() -> str:
    from email.utils import formataddr, parseaddr

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name or get_site_settings().title, address))


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The email of an outbox row: everything it needs (Reply-To, the thread it answers) was stored with the row."""
    headers = {"Message-ID": notification.provider_message_id, "Auto-Submitted": "auto-generated"}
    if notification.thread_id:
        headers["In-Reply-To"] = notification.thread_id
        headers["References"] = notification.thread_id
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body or strip_tags(notification.html),
        from_email=from_address(),
        to=[notification.address],
        reply_to=[notification.reply_to] if notification.reply_to else [],
        headers=headers,
    )
    if notification.html:
        message.attach_alternative(notification.html, "text/html")
    return message


def describe(exc: Exception) -> str:
    try:
        text = str(exc)
    except Exception:  # some exceptions can't describe themselves (e.g. an ESP error without its response)
        text = repr(exc.args)
    return f"{type(exc).__name__}: {text}"


def classify_email_error(exc: Exception) -> DeliveryError:
    from anymail import exceptions as anymail

    reason = describe(exc)
    if isinstance(exc, anymail.AnymailRecipientsRefused | anymail.AnymailInvalidAddress):
        return Undeliverable(reason)
    if isinstance(exc, ImproperlyConfigured):  # includes AnymailConfigurationError
        return Park(reason)
    if isinstance(exc, anymail.AnymailUnsupportedFeature | anymail.AnymailSerializationError):
        return Undeliverable(reason)
    if isinstance(exc, anymail.AnymailAPIError):
        status = getattr(exc, "status_code", None)
        if status is None or status >= 500 or status in (408, 429):
            return RetryLater(reason)
        if status in (401, 403):
            return Park(reason)
        return Undeliverable(reason)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return Undeliverable(reason)
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused):
        return Park(reason)
    if isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600:
        return Undeliverable(reason)
    if isinstance(exc, smtplib.SMTPException | OSError | socket.timeout):
        return RetryLater(reason)
    return RetryLater(reason)


def send_email(notification: Notification) -> str:
    message = build_email(notification)
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        raise classify_email_error(exc) from exc
    status = getattr(message, "anymail_status", None)
    if status is not None and status.message_id:
        logger.info("email %s accepted by the ESP as %s", notification.pk, status.message_id)
    return notification.provider_message_id


# --- SMS ------------------------------------------------------------------------------------------------------


def send_sms(notification: Notification) -> str:
    """Send through the configured SMS backend with our row id as `localid`. When an earlier attempt may have
    reached the gateway (any attempt before this one), ask the gateway first so the message never goes twice."""
    try:
        backend = sms.get_backend()
        if notification.attempts > 1:
            earlier = backend.find_sent(local_id=str(notification.pk))
            if earlier is not None:
                logger.info("SMS %s had already reached the gateway as %s", notification.pk, earlier.message_id)
                return earlier.message_id
        return backend.send(to=notification.address, text=notification.body, local_id=str(notification.pk)).message_id
    except sms.SmsTemporaryError as exc:
        raise RetryLater(exc.reason) from None
    except sms.SmsRejected as exc:
        raise Undeliverable(exc.reason) from None
    except (sms.SmsAccountError, ImproperlyConfigured) as exc:
        raise Park(getattr(exc, "reason", str(exc))) from None


SENDERS: dict[str, Callable[[Notification], str]] = {
    Notification.Channel.EMAIL: send_email,
    Notification.Channel.SMS: send_sms,
}

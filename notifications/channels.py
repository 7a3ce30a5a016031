"""Sending one outbox row on its channel, and what a provider's error means for it.

A channel's sender *prepares* a row (builds the email, picks the SMS backend: nothing leaves the machine) and
returns the call that hands it to the provider; the outbox marks the row handed over in between, so a worker that
dies before that moment provably sent nothing. The call returns the provider's message id, or raises one of:
`RetryLater` (network, 5xx, "try later": nothing was accepted; back off and try again), `Undeliverable` (this
message can never go: bad address, rejected recipient), `Park` (the account or configuration needs a person: no
credit, bad key) or `Uncertain` (the provider may have accepted it: the answer was lost; never sent again by itself).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable

import requests
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
    """Nothing was accepted: try again later (after `countdown` seconds, once the outbox has set it)."""

    def __init__(self, reason: str, *, countdown: float = 0.0):
        super().__init__(reason)
        self.countdown = countdown


class Undeliverable(DeliveryError):
    pass


class Park(DeliveryError):
    pass


class Uncertain(DeliveryError):
    """The message may have reached the provider (a read timeout, a connection dropped mid-send, an unforeseen
    error during the call): sending it again could send it twice."""


Transmit = Callable[[], str]  # hands the prepared message to the provider; returns its id


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
    """What an exception raised while handing an email to the ESP or SMTP server means for the row."""
    from anymail import exceptions as anymail

    reason = describe(exc)
    if isinstance(exc, requests.ReadTimeout):  # anymail's API errors subclass the `requests` error they wrap
        return Uncertain(reason)  # the request was sent; its answer never came
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
    if isinstance(exc, smtplib.SMTPResponseException):  # the server answered: it did not take the message
        return Undeliverable(reason) if 500 <= exc.smtp_code < 600 else RetryLater(reason)
    if isinstance(exc, smtplib.SMTPServerDisconnected | TimeoutError):
        return Uncertain(reason)  # the connection went away while we were talking: maybe after the data
    if isinstance(exc, smtplib.SMTPException | OSError):  # refused, unreachable, no such host: nothing was sent
        return RetryLater(reason)
    return Uncertain(reason)  # unforeseen: it may have gone out; a person decides


def prepare_email(notification: Notification) -> Transmit:
    message = build_email(notification)

    def transmit() -> str:
        try:
            message.send(fail_silently=False)
        except Exception as exc:
            raise classify_email_error(exc) from exc
        status = getattr(message, "anymail_status", None)
        if status is not None and status.message_id:
            logger.info("email %s accepted by the ESP as %s", notification.pk, status.message_id)
        return notification.provider_message_id

    return transmit


# --- SMS ------------------------------------------------------------------------------------------------------


def prepare_sms(notification: Notification) -> Transmit:
    """Send through the configured SMS backend with our row id as `localid`. When an earlier attempt may have
    reached the gateway (any attempt before this one), ask the gateway first so the message never goes twice."""
    try:
        backend = sms.get_backend()
    except ImproperlyConfigured as exc:
        raise Park(str(exc)) from None

    def transmit() -> str:
        try:
            if notification.attempts > 1:
                earlier = backend.find_sent(local_id=str(notification.pk))
                if earlier is not None:
                    logger.info("SMS %s had already reached the gateway as %s", notification.pk, earlier.message_id)
                    return earlier.message_id
            sent = backend.send(to=notification.address, text=notification.body, local_id=str(notification.pk))
            return sent.message_id
        except sms.SmsTemporaryError as exc:
            raise RetryLater(exc.reason) from None
        except sms.SmsRejected as exc:
            raise Undeliverable(exc.reason) from None
        except (sms.SmsAccountError, ImproperlyConfigured) as exc:
            raise Park(getattr(exc, "reason", str(exc))) from None

    return transmit


SENDERS: dict[str, Callable[[Notification], Transmit]] = {
    Notification.Channel.EMAIL: prepare_email,
    Notification.Channel.SMS: prepare_sms,
}

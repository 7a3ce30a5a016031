"""Email: the message we build, the Reply-To token, and how ESP/SMTP errors decide a row's fate.
(The end-to-end email test with a real worker is in test_delivery_worker.py.)"""

from __future__ import annotations

import smtplib
from types import SimpleNamespace

import pytest
from anymail.exceptions import (
    AnymailAPIError,
    AnymailConfigurationError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
)
from anymail.message import AnymailRecipientStatus
from django.core import mail

from helpdesk.models import DeliveryAlert, Notification
from helpdesk.notifications import channels, outbox
from helpdesk.notifications.channels import Park, RetryLater, Undeliverable, classify_email_error
from helpdesk.notifications.selectors import ticket_id_for_message_id
from helpdesk.notifications.tokens import reply_address, reply_token, ticket_id_from_address, ticket_id_from_token
from tickets.models import Message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

State = Notification.State


def api_error(status: int, reason: str) -> AnymailAPIError:
    """An ESP's error as anymail raises it (with the HTTP response it describes)."""
    response = SimpleNamespace(reason=reason, text=f"{status} {reason}")
    return AnymailAPIError(reason, status_code=status, response=response)


def test_reply_token_round_trip_and_tampering():
    token = reply_token(42)
    assert token.startswith("42.") and token == token.lower()
    assert ticket_id_from_token(token) == 42
    assert ticket_id_from_token(token.upper()) == 42  # a mail server that lower/upper-cases the address
    assert ticket_id_from_token("43" + token[2:]) is None
    assert ticket_id_from_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert ticket_id_from_token("") is None and ticket_id_from_token("garbage") is None


def test_reply_address_is_a_plus_address_on_the_inbound_address(settings):
    address = reply_address(7)
    local, domain = address.split("@")
    assert domain == "inbound.example.com" and local.startswith("support+7.")
    assert ticket_id_from_address(f"Support <{address}>") == 7
    assert ticket_id_from_address("support@inbound.example.com") is None
    settings.INBOUND_EMAIL_ADDRESS = ""
    assert reply_address(7) == ""


def test_without_an_inbound_address_there_is_no_reply_to(settings, make_ticket, customer):
    settings.INBOUND_EMAIL_ADDRESS = ""
    make_ticket()
    row = Notification.objects.get(recipient=customer, channel=Notification.Channel.EMAIL)
    message = channels.build_email(row)
    assert message.reply_to == []
    assert "replying to this email" not in row.body and "پاسخ دادن به همین" not in row.body


def test_thread_root_is_the_first_email_when_the_ticket_came_by_email(make_ticket, customer):
    ticket = make_ticket(message_id="<abc@mail.example.org>", channel="email", created_by=None)
    row = Notification.objects.get(recipient=customer, channel=Notification.Channel.EMAIL)
    message = channels.build_email(row)
    assert message.extra_headers["In-Reply-To"] == "<abc@mail.example.org>"
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_message_ids_are_unique_and_lead_back_to_the_ticket(make_ticket, customer):
    first, second = make_ticket(), make_ticket(subject="دومی")
    ids = list(Notification.objects.filter(channel="email").values_list("provider_message_id", flat=True))
    assert len(ids) == len(set(ids)) == 6
    row = Notification.objects.get(event__ticket=second, recipient=customer, channel="email")
    assert ticket_id_for_message_id(row.provider_message_id) == second.pk
    assert ticket_id_for_message_id("<unknown@x>") is None
    assert first.pk != second.pk


def test_sender_name_is_the_site_title(make_ticket, customer, settings):
    settings.DEFAULT_FROM_EMAIL = "helpdesk@example.com"
    make_ticket()
    row = Notification.objects.get(recipient=customer, channel="email")
    assert channels.build_email(row).from_email.endswith("<helpdesk@example.com>")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (api_error(503, "Service Unavailable"), RetryLater),
        (api_error(429, "Too Many Requests"), RetryLater),
        (AnymailAPIError("no connection"), RetryLater),
        (AnymailAPIError("no response", status_code=502), RetryLater),  # str() of this one fails: still classified
        (api_error(401, "Unauthorized"), Park),
        (api_error(422, "Unprocessable"), Undeliverable),
        (AnymailRecipientsRefused("refused"), Undeliverable),
        (AnymailInvalidAddress("nope"), Undeliverable),
        (AnymailConfigurationError("missing key"), Park),
        (smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")}), Undeliverable),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), Park),
        (smtplib.SMTPServerDisconnected("gone"), RetryLater),
        (smtplib.SMTPDataError(451, b"try later"), RetryLater),
        (smtplib.SMTPDataError(554, b"rejected"), Undeliverable),
        (ConnectionRefusedError(111, "refused"), RetryLater),
        (TimeoutError("timed out"), RetryLater),
    ],
)
def test_email_errors_are_classified(error, expected):
    assert type(classify_email_error(error)) is expected


@pytest.fixture
def email_row(make_ticket, customer, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    make_ticket()
    return Notification.objects.get(recipient=customer, channel="email")


def _failing(monkeypatch, error):
    original = channels.build_email

    def build(notification):
        message = original(notification)
        message.anymail_test_response = error
        return message

    monkeypatch.setattr(channels, "build_email", build)


def test_esp_outage_puts_the_row_back_for_a_retry(email_row, monkeypatch):
    _failing(monkeypatch, api_error(503, "Service Unavailable"))
    with pytest.raises(RetryLater):
        outbox.deliver(notification_id=email_row.pk)
    email_row.refresh_from_db()
    assert email_row.state == State.PENDING and email_row.attempts == 1
    assert "Service Unavailable" in email_row.last_error


def test_retries_end_in_failed_with_the_reason(email_row, monkeypatch, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    _failing(monkeypatch, api_error(503, "Service Unavailable"))
    with pytest.raises(RetryLater):
        outbox.deliver(notification_id=email_row.pk)
    assert outbox.deliver(notification_id=email_row.pk) == State.FAILED
    email_row.refresh_from_db()
    assert email_row.state == State.FAILED and "gave up after 2 attempts" in email_row.last_error


def test_a_temporary_failure_is_retried_with_exponential_back_off_and_jitter(monkeypatch):
    """The task retries `RetryLater` after 0–1 s, 0–2 s, 0–4 s… (full jitter), never more than 180 s."""
    from celery.exceptions import Retry

    from helpdesk.tasks import deliver_notification

    def temporary_failure(*, notification_id):
        raise RetryLater("[409] try later")

    countdowns = []

    def fake_retry(*, exc, countdown, **kwargs):
        assert isinstance(exc, RetryLater)
        countdowns.append(countdown)
        raise Retry(exc=exc, when=countdown)

    monkeypatch.setattr(outbox, "deliver", temporary_failure)
    monkeypatch.setattr(deliver_notification, "retry", fake_retry)

    def countdowns_after(retries: int, times: int = 30) -> list:
        countdowns.clear()
        deliver_notification.push_request(retries=retries)
        try:
            for _ in range(times):
                with pytest.raises(Retry):
                    deliver_notification.run(1)
        finally:
            deliver_notification.pop_request()
        return list(countdowns)

    assert all(0 <= c <= 1 for c in countdowns_after(0))
    after_three = countdowns_after(3)
    assert all(0 <= c <= 8 for c in after_three) and len(set(after_three)) > 1  # jitter
    late = countdowns_after(12)
    assert all(0 <= c <= 180 for c in late) and max(late) > 8  # grows, up to the cap
    assert deliver_notification.acks_late


def test_a_rejected_recipient_fails_at_once(email_row, monkeypatch):
    rejected = AnymailRecipientStatus(message_id=None, status="rejected")
    _failing(monkeypatch, {"recipient_status": {email_row.address: rejected}})
    assert outbox.deliver(notification_id=email_row.pk) == State.FAILED
    email_row.refresh_from_db()
    assert email_row.attempts == 1 and "AnymailRecipientsRefused" in email_row.last_error
    assert not DeliveryAlert.objects.exists()


def test_an_esp_account_problem_parks_and_alerts_on_the_panel_only(email_row, monkeypatch, site_admin):
    _failing(monkeypatch, api_error(401, "Unauthorized: bad API key"))
    assert outbox.deliver(notification_id=email_row.pk) == State.PARKED
    alert = DeliveryAlert.objects.get()
    assert alert.key == "email" and "Unauthorized" in alert.reason
    # Email is what is broken, so the admins hear about it in the panel.
    assert list(Notification.objects.filter(kind=outbox.ALERT_KIND).values_list("recipient_id", "channel")) == [
        (site_admin.pk, "panel")
    ]


def test_successful_send_keeps_our_message_id(email_row):
    assert outbox.deliver(notification_id=email_row.pk) == State.SENT
    email_row.refresh_from_db()
    (sent,) = [m for m in mail.outbox if m.to == [email_row.address]]
    assert sent.extra_headers["Message-ID"] == email_row.provider_message_id
    assert sent.anymail_test_params["subject"] == email_row.subject
    assert email_row.sent_at is not None and email_row.last_error == ""

"""Email: the message we build, the Reply-To token, and how ESP/SMTP errors decide a row's fate.
(The end-to-end email test with a real worker is in test_delivery_worker.py; what a ticket's emails carry, in
tickets/tests/test_notifications.py.)"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from anymail.exceptions import (
    AnymailAPIError,
    AnymailConfigurationError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.utils import timezone

from notifications import channels, outbox
from notifications.channels import Park, RetryLater, Uncertain, Undeliverable, classify_email_error
from notifications.models import DeliveryAlert, Notification
from notifications.tokens import reply_address, reply_token, target_id_from_address, target_id_from_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

State = Notification.State
Channel = Notification.Channel


def api_error(status: int, reason: str) -> AnymailAPIError:
    """An ESP's error as anymail raises it (with the HTTP response it describes)."""
    response = SimpleNamespace(reason=reason, text=f"{status} {reason}")
    return AnymailAPIError(reason, status_code=status, response=response)


def requests_error(error: requests.RequestException) -> AnymailRequestsAPIError:
    """What anymail raises when `requests` fails: an error of both classes (anymail/backends/base_requests.py)."""
    both = type("AnymailRequestsAPIError", (AnymailRequestsAPIError, type(error)), {})
    return both(f"Error posting to the ESP: {error}")


def test_reply_token_round_trip_and_tampering():
    token = reply_token(42)
    assert token.startswith("42.") and token == token.lower()
    assert target_id_from_token(token) == 42
    assert target_id_from_token(token.upper()) == 42  # a mail server that lower/upper-cases the address
    assert target_id_from_token("43" + token[2:]) is None
    assert target_id_from_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert target_id_from_token("") is None and target_id_from_token("garbage") is None


def test_reply_address_is_a_plus_address_on_the_inbound_address(settings):
    address = reply_address(7)
    local, domain = address.split("@")
    assert domain == "inbound.example.com" and local.startswith("support+7.")
    assert target_id_from_address(f"Support <{address}>") == 7
    assert target_id_from_address("support@inbound.example.com") is None
    settings.INBOUND_EMAIL_ADDRESS = ""
    assert reply_address(7) == ""


def email_to(user) -> Notification:
    """An email row written through the outbox (rendered, with its own Message-ID), not yet sent."""
    (row,) = outbox.notify_users(
        users=[user], kind="test", title="عنوان آزمایشی", text="متن آزمایشی", link="/", channels=[Channel.EMAIL]
    )
    return row


def test_sender_name_is_the_site_title(customer, settings):
    settings.DEFAULT_FROM_EMAIL = "helpdesk@example.com"
    row = email_to(customer)
    assert channels.build_email(row).from_email.endswith("<helpdesk@example.com>")


def test_an_email_about_nothing_in_particular_has_no_reply_to_and_no_thread(customer):
    row = email_to(customer)
    assert (row.reply_to, row.thread_id, row.target_id, row.source_id) == ("", "", None, None)
    message = channels.build_email(row)
    assert message.reply_to == [] and "In-Reply-To" not in message.extra_headers
    assert message.extra_headers["Message-ID"] == row.provider_message_id
    assert row.provider_message_id.endswith("@helpdesk.example.com>")
    assert "پاسخ دادن به همین" not in row.body


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
        (smtplib.SMTPDataError(451, b"try later"), RetryLater),
        (smtplib.SMTPDataError(554, b"rejected"), Undeliverable),
        (ConnectionRefusedError(111, "refused"), RetryLater),
        (requests_error(requests.ConnectionError("refused")), RetryLater),  # never reached the ESP
        # The message may have been taken: the answer was lost, or the connection dropped while talking.
        (requests_error(requests.ReadTimeout("read timed out")), Uncertain),
        (smtplib.SMTPServerDisconnected("gone"), Uncertain),
        (TimeoutError("timed out"), Uncertain),
        (RuntimeError("unforeseen"), Uncertain),
    ],
)
def test_email_errors_are_classified(error, expected):
    assert type(classify_email_error(error)) is expected


@pytest.fixture
def email_row(customer, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    return email_to(customer)


def _failing(monkeypatch, error):
    original = channels.build_email

    def build(notification):
        message = original(notification)
        message.anymail_test_response = error
        return message

    monkeypatch.setattr(channels, "build_email", build)


def test_esp_outage_puts_the_row_back_for_a_retry(email_row, monkeypatch):
    _failing(monkeypatch, api_error(503, "Service Unavailable"))
    with pytest.raises(RetryLater) as raised:
        outbox.deliver(notification_id=email_row.pk)
    email_row.refresh_from_db()
    assert email_row.state == State.PENDING and email_row.attempts == 1
    assert "Service Unavailable" in email_row.last_error
    assert 0 <= raised.value.countdown <= 30  # the first retry: up to the 30 s base
    assert email_row.first_attempt_at is not None and email_row.handed_over_at is not None


def test_retries_last_their_duration_then_end_in_failed_with_the_reason(email_row, monkeypatch, settings, site_admin):
    _failing(monkeypatch, api_error(503, "Service Unavailable"))
    with pytest.raises(RetryLater):
        outbox.deliver(notification_id=email_row.pk)
    # Still within the hour after the first attempt: retried, whatever the count.
    Notification.objects.filter(pk=email_row.pk).update(attempts=40)
    with pytest.raises(RetryLater):
        outbox.deliver(notification_id=email_row.pk)
    # An hour later the next failure is the last.
    Notification.objects.filter(pk=email_row.pk).update(first_attempt_at=timezone.now() - timedelta(minutes=61))
    assert outbox.deliver(notification_id=email_row.pk) == State.FAILED
    email_row.refresh_from_db()
    assert email_row.state == State.FAILED and "gave up after 42 attempts in 61 min" in email_row.last_error
    alert = DeliveryAlert.objects.get(cleared_at=None)
    assert alert.key == "email.failed" and "Service Unavailable" in alert.reason


def test_an_email_whose_answer_was_lost_is_uncertain_and_not_retried(email_row, monkeypatch):
    _failing(monkeypatch, requests_error(requests.ReadTimeout("read timed out")))
    assert outbox.deliver(notification_id=email_row.pk) == State.UNCERTAIN
    email_row.refresh_from_db()
    assert email_row.state == State.UNCERTAIN and email_row.attempts == 1
    assert "may or may not have been delivered" in email_row.last_error and "read timed out" in email_row.last_error
    assert outbox.sweep(now=timezone.now() + timedelta(hours=2)) == 0  # never queued again by itself
    assert outbox.deliver(notification_id=email_row.pk) == ""


def test_back_off_is_full_jitter_doubling_from_30_s_up_to_10_min():
    def delays(attempt: int) -> list[float]:
        return [outbox.retry_delay(attempt) for _ in range(200)]

    first = delays(1)
    assert all(0 <= d <= 30 for d in first) and len({round(d, 3) for d in first}) > 100  # jitter
    assert all(0 <= d <= 120 for d in delays(3)) and max(delays(3)) > 60
    late = delays(12)
    assert all(0 <= d <= 600 for d in late) and max(late) > 400  # capped at 10 minutes


def test_the_retries_of_the_defaults_last_at_least_an_hour(settings):
    """Whatever the jitter draws, the attempts go on for NOTIFICATIONS_RETRY_FOR_SECONDS (an hour) after the first:
    the give-up is a duration, not a count."""
    assert settings.NOTIFICATIONS_RETRY_FOR_SECONDS >= 3600
    assert outbox.retry_for() == timedelta(hours=1)
    assert settings.NOTIFICATIONS_RETRY_BASE_SECONDS == 30 and settings.NOTIFICATIONS_RETRY_CAP_SECONDS == 600


def test_the_task_schedules_the_outbox_countdown_and_never_resends_after_a_database_error(monkeypatch):
    """`RetryLater` is retried after the outbox's countdown (a delivery); `NotRecorded` (the message went, the
    database did not take it) is retried with the outcome, so the retry only records it."""
    from celery.exceptions import Retry

    from notifications.tasks import deliver_notification

    calls = []

    def fake_retry(*, args, kwargs, countdown):
        calls.append((args, kwargs, countdown))
        raise Retry(when=countdown)

    monkeypatch.setattr(deliver_notification, "retry", fake_retry)
    sent = outbox.Outcome(state=State.SENT, attempt=1, channel="email", message_id="<m@x>")
    for raised in (RetryLater("[409] try later", countdown=12.5), outbox.NotRecorded(sent)):

        def deliver(*, notification_id, error=raised):
            raise error

        monkeypatch.setattr(outbox, "deliver", deliver)
        deliver_notification.push_request(retries=0, is_eager=False)
        try:
            with pytest.raises(Retry):
                deliver_notification.run(7)
        finally:
            deliver_notification.pop_request()
    (args, kwargs, countdown), (args2, kwargs2, countdown2) = calls
    assert (args, kwargs, countdown) == ((7,), {"outcome": None}, 12.5)
    assert args2 == (7,) and kwargs2 == {"outcome": sent.as_dict()} and 0 <= countdown2 <= 30
    assert deliver_notification.acks_late and deliver_notification.max_retries is None  # the outbox decides


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

"""Fault drills of delivery (issue #10, items 2-4): real faults, counted.

- the broker is down while tickets are filed (a Redis of the test's own, stopped): every page says the ticket was
  filed, every notification is stored, and once the broker is back the sweep has each delivered exactly once;
- the gateway answers 500 for longer than the old back-off could wait (short back-off settings): every SMS is
  delivered exactly once after the outage; an outage longer than the retries gives up with one admin alert, cleared
  by the next success;
- the database connection of the worker dies after the provider took the message: the outcome is recorded by the
  task's retry, never by sending again, and the row is `sent`, not `failed`;
- a real worker process is SIGKILLed in the middle of a delivery: within its lease and one sweep the SMS is settled
  by its `localid` without a second send, and the email is `uncertain` (with its Message-ID), never sent twice.

Each drill counts what the Kavenegar stub accepted per `localid` and what the email backend received. PostgreSQL
only (on SQLite these faults do not exist); Redis and redis-server are required services.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from helpdesk.tests.kavenegar_stub import API_KEY, Reply
from notifications import outbox, preferences
from notifications.models import DeliveryAlert, Notification
from testing.faults import (
    require_postgresql,
    terminate_other_backends,
    wait_until,
    worker_process,
)
from testing.fixtures import celery_broker, running_worker, wait_for
from testing.redis_server import redis_server
from tickets.models import Ticket
from tickets.notifications import NEW_TICKET

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("notifications_env", "postgresql"),
]

State = Notification.State
Channel = Notification.Channel
UNSETTLED = [State.PENDING, State.SENDING]


@pytest.fixture
def postgresql():
    require_postgresql()


@pytest.fixture
def sms_only(customer, agent, teammate):
    """Everyone is told by SMS only, new tickets included (staff get no SMS for them by default)."""
    for user in (customer, agent, teammate):
        user.notify_email = user.notify_panel = False
        user.notify_sms = True
        user.save()
        preferences.preferences_save(user=user, table={NEW_TICKET: {Channel.SMS: True}})


def sms_to(users, text: str = "آزمایش") -> list[Notification]:
    """SMS rows written and committed through the outbox (queued after commit)."""
    with transaction.atomic():
        return outbox.notify_users(users=users, kind="test", title="آزمایش", text=text, channels=[Channel.SMS])


def settled(rows) -> bool:
    return not Notification.objects.filter(pk__in=[r.pk for r in rows], state__in=UNSETTLED).exists()


def exactly_once(stub, rows) -> None:
    counts = stub.accepted_per_localid()
    assert {str(r.pk): counts.get(str(r.pk), 0) for r in rows} == {str(r.pk): 1 for r in rows}


# --- the broker is down while tickets are filed ------------------------------------------------------------------


def test_broker_down_while_filing_every_ticket_is_kept_and_each_notification_sent_once(
    kavenegar, sms_only, customer, department, priority
):
    client = Client(raise_request_exception=False)
    client.force_login(customer)
    with redis_server() as redis:
        redis.stop()  # the broker is down
        with celery_broker(redis.url()):
            responses = [
                client.post(
                    "/tickets/new/", {"department": department.pk, "subject": f"قطعی {n}", "body": "اینترنت قطع است"}
                )
                for n in range(5)
            ]
        assert [r.status_code for r in responses] == [302] * 5  # acknowledged …
        tickets = Ticket.objects.filter(subject__startswith="قطعی")
        assert tickets.count() == 5  # … and stored
        rows = list(Notification.objects.filter(event__ticket__in=tickets, channel=Channel.SMS))
        assert len(rows) == 15 and {r.state for r in rows} == {State.PENDING}  # the customer and two agents, each
        assert kavenegar.calls == []

        redis.start()  # back, on the same port
        with running_worker(redis.url()):
            assert outbox.sweep() == 0  # not due yet: they may still be on their way
            assert outbox.sweep(now=timezone.now() + timedelta(seconds=django_settings.NOTIFICATIONS_STALE_SECONDS))
            wait_for(lambda: settled(rows), timeout=60)
    assert set(Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("state", flat=True)) == {"sent"}
    exactly_once(kavenegar, rows)


# --- the gateway is down -----------------------------------------------------------------------------------------


@pytest.fixture
def short_back_off(settings):
    """Retries after up to 0.2 s, 0.4 s, … at most 1 s (the defaults: 30 s … 10 min, for an hour)."""
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.2
    settings.NOTIFICATIONS_RETRY_CAP_SECONDS = 1.0
    settings.NOTIFICATIONS_RETRY_FOR_SECONDS = 30.0
    return settings


# The old policy with the same base: 6 attempts, so at most 0.2 + 0.4 + 0.8 + 1.6 + 3.2 s between the first and last.
OLD_BACK_OFF_SECONDS = 6.2


def test_a_gateway_outage_longer_than_the_old_back_off_is_ridden_out(worker, kavenegar, short_back_off, customer):
    kavenegar.outage(8.0)  # HTML 500 pages for 8 s
    rows = sms_to([customer, *[_another(customer, n) for n in range(3)]])
    wait_for(lambda: settled(rows), timeout=60)
    for row in Notification.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.state == State.SENT, row.last_error
        assert row.attempts > 6  # more than the old policy ever made
        assert (row.sent_at - row.first_attempt_at).total_seconds() > OLD_BACK_OFF_SECONDS
    exactly_once(kavenegar, rows)
    assert not DeliveryAlert.objects.exists()


def test_an_outage_longer_than_the_retries_fails_with_one_alert_cleared_by_the_next_success(
    worker, kavenegar, short_back_off, customer, site_admin
):
    short_back_off.NOTIFICATIONS_RETRY_FOR_SECONDS = 1.5
    outage_ends = time.monotonic() + 4.0
    kavenegar.outage(4.0)
    rows = sms_to([customer, *[_another(customer, n) for n in range(3)]])
    wait_for(lambda: settled(rows), timeout=60)
    given_up = Notification.objects.filter(pk__in=[r.pk for r in rows])
    assert set(given_up.values_list("state", flat=True)) == {State.FAILED}
    assert all("gave up after" in error for error in given_up.values_list("last_error", flat=True))
    (alert,) = DeliveryAlert.objects.all()  # one alert for the outage, not one per notification
    assert alert.key == "sms.failed" and alert.cleared_at is None
    told = Notification.objects.filter(kind=outbox.GAVE_UP_KIND, recipient=site_admin)
    assert sorted(told.values_list("channel", flat=True)) == ["email", "panel"]

    time.sleep(max(0.0, outage_ends - time.monotonic()) + 0.2)  # the gateway is back
    later = sms_to([customer], text="بعد از قطعی")
    wait_for(lambda: settled(later), timeout=30)
    assert Notification.objects.get(pk=later[0].pk).state == State.SENT
    alert.refresh_from_db()
    assert alert.cleared_at is not None  # the next success clears it

    assert outbox.notifications_send_again(notifications=rows, actor=site_admin) == 4  # the admin sends them again
    wait_for(lambda: settled(rows), timeout=30)
    exactly_once(kavenegar, [*rows, *later])


def _another(customer, n: int):
    from accounts.tests.factories import CustomerFactory

    return CustomerFactory(organisation=customer.organisation, mobile=f"0912555000{n}")


# --- the database fails after the send ---------------------------------------------------------------------------


def test_a_database_blip_after_the_send_is_recorded_by_the_retry_never_by_a_second_send(
    worker, kavenegar, settings, customer, tmp_path
):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.2
    settings.NOTIFICATIONS_RETRY_CAP_SECONDS = 0.5
    kavenegar.script("sms/send", Reply(delay=1.5))  # the gateway takes it, and answers late
    (sms,) = sms_to([customer])
    wait_until(lambda: kavenegar.calls_to("sms/send"), timeout=30, what="the worker sends the SMS")
    assert terminate_other_backends() >= 1  # the worker's connection dies while the gateway holds the answer
    wait_for(lambda: settled([sms]), timeout=60)
    sms.refresh_from_db()
    assert sms.state == State.SENT and sms.attempts == 1 and sms.last_error == ""
    assert sms.provider_message_id == str(kavenegar.accepted[str(sms.pk)]["messageid"])
    exactly_once(kavenegar, [sms])

    settings.EMAIL_BACKEND = "testing.mail.SlowFileBackend"
    settings.TEST_EMAIL_DELAY = 1.5
    with transaction.atomic():
        (email,) = outbox.notify_users(users=[customer], kind="test", title="t", text="x", channels=[Channel.EMAIL])
    wait_until(lambda: [m for m in mail.outbox if m.to == [customer.email]], timeout=30, what="the email is handed")
    assert terminate_other_backends() >= 1
    wait_for(lambda: settled([email]), timeout=60)
    email.refresh_from_db()
    assert email.state == State.SENT and email.attempts == 1  # not failed, not sent again
    assert len([m for m in mail.outbox if m.to == [customer.email]]) == 1


# --- a worker is killed mid-delivery -----------------------------------------------------------------------------


def test_a_killed_worker_is_recovered_within_its_lease_and_one_sweep_exactly_once(kavenegar, customer, tmp_path):
    lease = 3.0
    emails = tmp_path / "emails"
    emails.mkdir()
    environment = {
        "SMS_BACKEND": "kavenegar",
        "KAVENEGAR_API_KEY": API_KEY,
        "KAVENEGAR_BASE_URL": kavenegar.base_url,
        "KAVENEGAR_TIMEOUT": "60",
        "NOTIFICATIONS_LEASE_SECONDS": str(lease),
        "EMAIL_FILE_PATH": str(emails),
        "TEST_EMAIL_DELAY": "60",  # the provider takes the email and never answers: the worker is killed first
    }
    kavenegar.script("sms/send", Reply(delay=60))  # the gateway takes the SMS and holds its answer
    with redis_server() as redis, celery_broker(redis.url()) as app:
        queue = app.conf.task_default_queue

        def run(log: str):
            return worker_process(broker_url=redis.url(), queue=queue, log=tmp_path / log, env=environment)

        (sms,) = sms_to([customer])
        with run("worker-1.log") as first:
            wait_until(lambda: kavenegar.calls_to("sms/send"), timeout=60, what=f"worker 1 sends\n{first.output()}")
            first.kill()
        with transaction.atomic():
            (email,) = outbox.notify_users(users=[customer], kind="test", title="t", text="x", channels=[Channel.EMAIL])
        with run("worker-2.log") as second:
            wait_until(lambda: list(emails.iterdir()), timeout=60, what=f"worker 2 sends\n{second.output()}")
            second.kill()
        for row in (sms, email):
            row.refresh_from_db()
            assert row.state == State.SENDING and row.handed_over_at is not None  # stranded, for now
            assert row.due_at - row.touched_at == timedelta(seconds=lease)  # until its lease ends
        assert outbox.sweep(now=min(sms.due_at, email.due_at) - timedelta(seconds=0.5)) == 0  # a live worker's
        assert set(Notification.objects.filter(pk__in=[sms.pk, email.pk]).values_list("state", flat=True)) == {
            State.SENDING
        }
        with run("worker-3.log") as third:
            # The beat's first sweep after the leases: the SMS goes back to pending and is queued, the email not.
            assert outbox.sweep(now=max(sms.due_at, email.due_at) + timedelta(seconds=1)) == 1
            wait_until(lambda: settled([sms]), timeout=60, what=f"the SMS settles\n{third.output()}")
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.state == State.SENT and sms.attempts == 2
    assert sms.provider_message_id == str(kavenegar.accepted[str(sms.pk)]["messageid"])
    exactly_once(kavenegar, [sms])  # asked by localid, not sent again
    assert [c.params["localid"] for c in kavenegar.calls_to("sms/statuslocalmessageid")] == [str(sms.pk)]
    assert email.state == State.UNCERTAIN and "may or may not" in email.last_error
    assert email.provider_message_id.startswith("<")  # shown in the admin: what to look for at the provider
    assert len(list(emails.iterdir())) == 1  # and never sent again by itself


def test_the_default_lease_and_sweep_recover_a_dead_workers_rows_within_two_minutes(settings):
    sweep_every = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["schedule"]
    assert settings.NOTIFICATIONS_LEASE_SECONDS + sweep_every <= 120
    from notifications.checks import longest_delivery

    assert longest_delivery() < settings.NOTIFICATIONS_LEASE_SECONDS  # and no live delivery is ever taken back

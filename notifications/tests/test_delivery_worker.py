"""Delivery end to end: a real Celery worker (solo pool, in a thread) on the real Redis, SMS over real HTTP to the
local Kavenegar stub, email through anymail's test backend. Nothing here runs in eager mode."""

from __future__ import annotations

import socket
import threading
from contextlib import nullcontext
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.tests.kavenegar_stub import API_KEY, Reply
from notifications import outbox
from notifications.models import DeliveryAlert, Notification
from notifications.preferences import preferences_save
from notifications.tokens import target_id_from_address
from testing.fixtures import (
    TEST_REDIS_URL,
    adopt_connection,
    celery_broker,
    running_worker,
    shared_test_connection,
    wait_for,
)
from tickets.models import Ticket
from tickets.notifications import NEW_TICKET

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("notifications_env")]

State = Notification.State
Channel = Notification.Channel


@pytest.fixture(autouse=True)
def quick_retries(settings):
    """Retries after a second at most (the defaults wait up to 30 s, 60 s … for an hour: see test_faults.py)."""
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 0.5
    settings.NOTIFICATIONS_RETRY_CAP_SECONDS = 1.0


@pytest.fixture
def sms_only(customer, agent, teammate):
    """Everyone hears by SMS only (one channel keeps the assertions exact), agents of new tickets too (staff get
    no SMS for them by default: their own choice)."""
    for user in (customer, agent, teammate):
        user.notify_email = user.notify_panel = False
        user.notify_sms = True
        user.save()
        preferences_save(user=user, table={NEW_TICKET: {"sms": True}})


@pytest.fixture
def customer_sms_only(customer, agent, teammate):
    """Only the customer hears, by SMS only."""
    customer.notify_email = customer.notify_panel = False
    customer.save()
    for user in (agent, teammate):
        user.notify_email = user.notify_panel = user.notify_sms = False
        user.save()


def _settled(*ids):
    def check():
        """all rows left pending/sending"""
        return not Notification.objects.filter(pk__in=ids, state__in=[State.PENDING, State.SENDING]).exists()

    return check


def _sms_rows(ticket, user):
    return Notification.objects.filter(event__ticket=ticket, recipient=user, channel=Channel.SMS)


def test_server_error_then_success_sends_exactly_one_sms(worker, kavenegar, customer_sms_only, make_ticket, customer):
    kavenegar.script("sms/send", Reply(http=500, raw="<html>502 Bad Gateway</html>"))
    ticket = make_ticket()  # committed: the on_commit hooks queue the rows
    row = _sms_rows(ticket, customer).get()
    wait_for(_settled(row.pk))
    row.refresh_from_db()
    assert row.state == State.SENT, row.last_error
    assert row.attempts == 2
    to_customer = [c for c in kavenegar.calls_to("sms/send") if c.params["receptor"] == customer.mobile]
    assert len(to_customer) == 2  # the 500 and the retry
    delivered = [m for m in kavenegar.sent if m["receptor"] == customer.mobile]
    assert len(delivered) == 1
    assert row.provider_message_id == str(delivered[0]["messageid"])
    assert to_customer[1].params["localid"] == str(row.pk)
    assert ticket.reference in delivered[0]["message"].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))


def test_timeout_then_success_is_not_sent_twice(worker, kavenegar, customer_sms_only, make_ticket, customer, settings):
    # The gateway takes the message but its answer comes after our 1 s timeout.
    settings.KAVENEGAR_TIMEOUT = 1.0
    kavenegar.script("sms/send", Reply(delay=2.5))
    ticket = make_ticket()
    row = _sms_rows(ticket, customer).get()
    wait_for(_settled(row.pk))
    row.refresh_from_db()
    assert row.state == State.SENT, row.last_error
    sends = [c for c in kavenegar.calls_to("sms/send") if c.params.get("localid") == str(row.pk)]
    assert len(sends) == 1  # the retry asked first and did not send again
    checks = [c for c in kavenegar.calls_to("sms/statuslocalmessageid") if c.params["localid"] == str(row.pk)]
    assert len(checks) == 1
    assert row.provider_message_id == str(kavenegar.accepted[str(row.pk)]["messageid"])
    assert row.attempts == 2


def test_no_credit_parks_the_rows_and_alerts_the_admins_once(
    worker, kavenegar, sms_only, make_ticket, customer, site_admin
):
    kavenegar.script("sms/send", *[Reply(code=418) for _ in range(20)])
    with transaction.atomic():  # one commit: the worker starts once both are written
        first = make_ticket()
        second = make_ticket(subject="دومین درخواست")
    rows = list(Notification.objects.filter(event__ticket__in=[first, second], channel=Channel.SMS))
    assert len(rows) == 6  # the customer, two agents; two tickets
    wait_for(_settled(*[r.pk for r in rows]))
    for row in rows:
        row.refresh_from_db()
        assert row.state == State.PARKED
        assert row.attempts == 1  # not retried
        assert "418" in row.last_error and "اعتبار" in row.last_error
    assert len(kavenegar.calls_to("sms/send")) == 6
    assert DeliveryAlert.objects.filter(key="sms", cleared_at=None).count() == 1
    alerts = Notification.objects.filter(kind=outbox.ALERT_KIND)
    assert sorted(alerts.values_list("recipient_id", "channel")) == [
        (site_admin.pk, Channel.EMAIL),
        (site_admin.pk, Channel.PANEL),
    ]
    wait_for(_settled(*alerts.values_list("pk", flat=True)))
    assert alerts.get(channel=Channel.EMAIL).state == State.SENT
    assert "418" in alerts.get(channel=Channel.PANEL).body
    assert mail.outbox and mail.outbox[-1].to == [site_admin.email]


def test_invalid_number_fails_without_retry(worker, kavenegar, sms_only, make_ticket, customer, agent):
    kavenegar.script("sms/send", Reply(code=411))  # the first send is the customer's acknowledgement
    ticket = make_ticket()
    rows = Notification.objects.filter(event__ticket=ticket, channel=Channel.SMS)
    wait_for(_settled(*rows.values_list("pk", flat=True)))
    mine = _sms_rows(ticket, customer).get()
    assert mine.state == State.FAILED
    assert mine.attempts == 1
    assert "411" in mine.last_error
    assert len([c for c in kavenegar.calls_to("sms/send") if c.params["localid"] == str(mine.pk)]) == 1
    assert _sms_rows(ticket, agent).get().state == State.SENT
    assert not DeliveryAlert.objects.exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_broker_down_while_a_ticket_is_filed_then_the_sweep_delivers(
    transactional_db, client, kavenegar, sms_only, customer, department, priority
):
    """Redis unreachable during the request: the ticket is saved, the customer gets the page, the rows wait;
    once the broker is back, the sweep queues them and the worker sends them."""
    client.force_login(customer)
    with celery_broker(f"redis://127.0.0.1:{_closed_port()}/8"):
        response = client.post(
            reverse("tickets:create"),
            {"department": department.pk, "subject": "اینترنت قطع است", "body": "از صبح اینترنت وصل نمی‌شود."},
        )
    ticket = Ticket.objects.get(subject="اینترنت قطع است")
    assert response.status_code == 302
    rows = Notification.objects.filter(event__ticket=ticket, channel=Channel.SMS)
    assert rows.count() == 3
    assert set(rows.values_list("state", flat=True)) == {State.PENDING}
    assert kavenegar.calls == []

    with running_worker():
        assert outbox.sweep() == 0  # not stale yet: they might still be on their way
        queued = outbox.sweep(now=timezone.now() + timedelta(minutes=10))
        assert queued == 3
        wait_for(_settled(*rows.values_list("pk", flat=True)))
    assert set(rows.values_list("state", flat=True)) == {State.SENT}
    assert len(kavenegar.sent) == 3


def test_email_is_a_real_rtl_message_with_threading_headers(worker, settings, make_ticket, customer, agent):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    customer.notify_sms = customer.notify_panel = False
    customer.save()
    ticket = make_ticket()
    row = Notification.objects.get(event__ticket=ticket, recipient=customer, channel=Channel.EMAIL)
    wait_for(_settled(row.pk))
    row.refresh_from_db()
    assert row.state == State.SENT, row.last_error
    (sent,) = [m for m in mail.outbox if m.to == [customer.email]]
    parsed = message_from_bytes(sent.message().as_bytes(), policy=policy.default)

    assert parsed["Message-ID"].strip() == row.provider_message_id  # a long header is folded
    assert row.provider_message_id.endswith("@helpdesk.example.com>")
    assert f"[#{ticket.reference}]" in parsed["Subject"]
    assert "درخواست شما" in parsed["Subject"]
    reply_to = str(parsed["Reply-To"])
    assert reply_to.startswith("support+") and reply_to.endswith("@inbound.example.com")
    assert target_id_from_address(reply_to) == ticket.pk
    assert target_id_from_address(reply_to.replace("support+", "support+9")) is None  # tampered
    root = f"<ticket.{ticket.reference}@helpdesk.example.com>"
    assert parsed["In-Reply-To"].strip() == root and parsed["References"].strip() == root
    assert parsed["Auto-Submitted"] == "auto-generated"

    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "چاپگر کار نمی‌کند" in text and "**چیزی**" in text  # the customer's own words, as written
    assert 'dir="rtl"' in html and 'lang="fa"' in html
    assert "<strong>چیزی</strong>" in html  # Markdown rendered (and sanitised)
    assert f"https://helpdesk.example.com/tickets/{ticket.reference}/" in html


def _pending_sms(user, **fields) -> Notification:
    return Notification.objects.create(
        recipient=user,
        channel=Channel.SMS,
        kind="test",
        address=user.mobile,
        subject="آزمایش",
        body="متن آزمایشی",
        **fields,
    )


def test_sweep_queues_only_due_pending_rows(worker, kavenegar, customer):
    old = timezone.now() - timedelta(minutes=10)
    due = _pending_sms(customer, due_at=old, created_at=old)
    later = _pending_sms(customer, due_at=timezone.now() + timedelta(minutes=5))  # on its way, or backing off
    failed = _pending_sms(customer, due_at=old, state=State.FAILED, last_error="[411] …")
    sent = _pending_sms(customer, due_at=old, state=State.SENT)

    assert outbox.sweep() == 1
    wait_for(_settled(due.pk))
    due.refresh_from_db()
    assert due.state == State.SENT
    assert [c.params["localid"] for c in kavenegar.calls_to("sms/send")] == [str(due.pk)]
    for row, state in ((later, State.PENDING), (failed, State.FAILED), (sent, State.SENT)):
        row.refresh_from_db()
        assert row.state == state and row.attempts == 0


def test_sweep_recovers_rows_of_a_dead_worker_without_sending_twice(worker, kavenegar, customer, settings):
    lease_ended = timezone.now() - timedelta(seconds=1)
    dead = {"state": State.SENDING, "attempts": 1, "due_at": lease_ended}
    # An SMS whose worker died after the gateway took it, and one that died after the hand-over but before.
    landed = _pending_sms(customer, **dead, handed_over_at=lease_ended)
    kavenegar.accepted[str(landed.pk)] = {"messageid": 123456, "receptor": customer.mobile}
    lost = _pending_sms(customer, **dead, handed_over_at=lease_ended)
    # A worker still within its lease is left alone.
    busy = _pending_sms(customer, state=State.SENDING, attempts=1, due_at=timezone.now() + timedelta(seconds=30))
    email = {"channel": Channel.EMAIL, "address": customer.email, "subject": "s", "body": "b", "kind": "test", **dead}
    # An email that may or may not have gone: never sent again by itself …
    handed = Notification.objects.create(recipient=customer, **email, handed_over_at=lease_ended)
    # … and one whose worker died before handing it over: provably not sent, so it goes.
    unsent = Notification.objects.create(recipient=customer, **email, provider_message_id="<unsent@example.com>")

    assert outbox.sweep() == 3
    wait_for(_settled(landed.pk, lost.pk, unsent.pk))
    for row in (landed, lost, busy, handed, unsent):
        row.refresh_from_db()
    assert (landed.state, landed.provider_message_id) == (State.SENT, "123456")
    assert lost.state == State.SENT
    assert [c.params["localid"] for c in kavenegar.calls_to("sms/send")] == [str(lost.pk)]
    assert busy.state == State.SENDING
    assert handed.state == State.UNCERTAIN and "may or may not have been delivered" in handed.last_error
    assert unsent.state == State.SENT and [m.to for m in mail.outbox] == [[customer.email]]
    Notification.objects.filter(pk=busy.pk).update(state=State.SENT)  # (its worker finished)
    assert outbox.sweep(now=timezone.now() + timedelta(hours=2)) == 0  # the uncertain email stays as it is


def test_two_concurrent_deliveries_send_once(transactional_db, kavenegar, customer):
    """Two workers get the same row at the same moment: one claims it, the other does nothing."""
    kavenegar.script("sms/send", Reply(delay=0.3))
    row = _pending_sms(customer)
    barrier = threading.Barrier(2)
    results, errors = [], []
    main = connections["default"]
    # On SQLite both threads share the test's one in-memory connection, which cannot run two threads' statements
    # at once (its row count is the connection's: one thread could read the other's 0), so they take turns there.
    # On PostgreSQL each thread has its own connection and both UPDATEs really race.
    turns = threading.Lock() if main.vendor == "sqlite" else nullcontext()

    def run():
        try:
            adopt_connection(main)
            barrier.wait()
            with turns:
                results.append(outbox.deliver(notification_id=row.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with shared_test_connection():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert errors == []
    assert sorted(results) == ["", State.SENT]
    assert len(kavenegar.calls_to("sms/send")) == 1
    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 1
    # And a third, late run (the broker redelivered the task) finds nothing to do.
    assert outbox.deliver(notification_id=row.pk) == ""
    assert len(kavenegar.calls_to("sms/send")) == 1


def test_api_key_never_reaches_the_logs_or_the_row(worker, kavenegar, customer, caplog, settings):
    settings.KAVENEGAR_BASE_URL = f"http://127.0.0.1:{_closed_port()}/v1"  # refused: requests names the URL
    settings.NOTIFICATIONS_RETRY_FOR_SECONDS = 0  # the first failure is the last
    row = _pending_sms(customer)
    with caplog.at_level("DEBUG"):
        outbox.enqueue([row.pk])
        wait_for(_settled(row.pk))
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert "ConnectionError" in row.last_error
    assert API_KEY not in row.last_error
    assert API_KEY not in caplog.text


def test_the_worker_block_is_never_eager_and_leaves_no_trace(settings):
    """A test's eager setting can't leak into a worker block, and nothing of the block sticks afterwards."""
    from helpdesk.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    with celery_broker(TEST_REDIS_URL) as inside:
        assert inside.conf.task_always_eager is False
        assert inside.conf.task_default_queue.startswith("helpdesk-test-")
    assert app.conf.task_always_eager is True
    settings.CELERY_TASK_ALWAYS_EAGER = False  # Django's settings are read again
    assert app.conf.task_always_eager is False
    assert app.conf.task_default_queue == "celery"

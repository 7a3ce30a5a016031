"""Durable intake: a message is stored, then processed by id, exactly once, through crashes, dead workers, a broker
outage and provider retries. Real webhook posts and callbacks; the crash is a ticket hook that raises (a fault
inside `ticket_create`'s transaction, as a lost database connection would be)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from anymail.inbound import AnymailInboundMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from inbound.models import InboundEmail, InboundSms, State
from inbound.services import email_receive, inbound_process, inbound_sweep, sms_receive
from inbound.services.processing import claim, process_claimed
from inbound.tests.helpers import committed, eml, post_postmark
from notifications.models import Notification
from testing.fixtures import celery_broker, wait_for
from tickets import hooks
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
EMAIL, SMS = InboundEmail._meta.model_name, InboundSms._meta.model_name
LEASE = timedelta(seconds=120)  # INBOUND_LEASE_SECONDS' default


class Crash(RuntimeError):
    pass


@pytest.fixture
def crashes():
    """Processing crashes inside `ticket_create`'s transaction the first `times` times (after the customer, the
    ticket and its notifications were written, so all of them must roll back)."""
    state = {"times": 1, "calls": 0}

    def hook(ticket):
        state["calls"] += 1
        if state["calls"] <= state["times"]:
            raise Crash("server closed the connection unexpectedly")

    hooks.register_ticket_created(hook)
    yield state
    hooks.on_ticket_created.remove(hook)


def post_sms(client, **overrides):
    data = {"from": "09351234567", "to": "10004346", "message": "اینترنت قطع است", "messageid": "7001", **overrides}
    with committed():
        return client.post(reverse("inbound:kavenegar_receive", args=["s3cret-path-token"]), data)


def post(client, channel):
    if channel == EMAIL:
        return post_postmark(client, eml(sender="Reza <reza@example.net>", message_id="<crash@x>"))
    return post_sms(client)


def row_of(channel):
    return (InboundEmail if channel == EMAIL else InboundSms).objects.get()


def sweep(**kwargs):
    with committed():
        return inbound_sweep(**kwargs)


@pytest.mark.parametrize("channel", [EMAIL, SMS])
def test_a_crash_is_rolled_back_and_the_sweep_retries_it_into_exactly_one_ticket(
    client, department, priority, crashes, channel
):
    assert post(client, channel).status_code == 200  # stored: the provider is answered whatever happens next
    row = row_of(channel)
    assert row.state == State.RECEIVED and row.attempts == 1 and "Crash" in row.reason
    # Nothing of the crashed attempt is left: no ticket, no customer, no notification.
    assert not Ticket.objects.exists() and not Notification.objects.exists()
    assert not User.objects.filter(email="reza@example.net").exists()
    assert not User.objects.filter(mobile="09351234567").exists()

    assert post(client, channel).status_code == 200  # the provider's retry changes nothing
    assert row_of(channel).attempts == 1 and not Ticket.objects.exists()

    assert sweep() == 1
    row = row_of(channel)
    assert row.state == State.TICKET and row.attempts == 2 and row.reason == "" and row.lease_until is None
    assert Ticket.objects.get() == row.ticket and row.ticket.messages.count() == 1

    assert sweep() == 0 and sweep(now=timezone.now() + timedelta(days=1)) == 0
    assert inbound_process(kind=channel, inbound_id=row.pk) == ""  # a second run on a processed row does nothing
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_the_webhook_answers_once_stored_and_processing_waits_for_the_commit(department, priority):
    with committed():
        with transaction.atomic():
            row, created = email_receive(message=_message())
            assert created and row.state == State.RECEIVED and not Ticket.objects.exists()
        assert not Ticket.objects.exists()  # still not processed: the processing is queued after the commit
    assert InboundEmail.objects.get().state == State.TICKET and Ticket.objects.count() == 1


def test_a_row_stuck_in_processing_past_its_lease_is_recovered(department, priority):
    """A worker claimed the message and died (nothing processed, nothing released)."""
    row, _ = email_receive(message=_message())  # not committed: its queued processing never runs
    started = timezone.now()
    assert claim(kind=EMAIL, inbound_id=row.pk, now=started) is not None
    assert sweep(now=started + LEASE - timedelta(seconds=1)) == 0  # the lease still runs: it may be working
    assert InboundEmail.objects.get().state == State.PROCESSING

    assert sweep(now=started + LEASE + timedelta(seconds=1)) == 1
    row = InboundEmail.objects.get()
    assert row.state == State.TICKET and row.attempts == 2 and Ticket.objects.count() == 1


@pytest.mark.parametrize("channel", [EMAIL, SMS])
def test_a_worker_whose_lease_was_taken_over_rolls_back_and_the_message_is_one_ticket(department, priority, channel):
    """A slow worker outlives its lease; the sweep gives the message to another, which finishes first. The slow one
    must not add a second ticket when it gets there (an SMS has no Message-ID to stop it: the lease must)."""
    row = stored(channel)
    started = timezone.now()
    slow = claim(kind=channel, inbound_id=row.pk, now=started)
    assert sweep(now=started + LEASE + timedelta(seconds=1)) == 1  # the other worker takes it and files it
    assert row_of(channel).state == State.TICKET

    assert process_claimed(kind=channel, inbound_id=row.pk, until=slow) == ""
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert row_of(channel).state == State.TICKET


def test_two_claims_of_one_row_have_one_winner(department):
    row, _ = email_receive(message=_message())
    assert claim(kind=EMAIL, inbound_id=row.pk) is not None
    assert claim(kind=EMAIL, inbound_id=row.pk) is None
    assert inbound_process(kind=EMAIL, inbound_id=row.pk) == ""


def test_a_message_that_keeps_crashing_is_failed_after_the_last_attempt(client, settings, department, crashes):
    settings.INBOUND_MAX_ATTEMPTS = 2
    crashes["times"] = 99
    post(client, EMAIL)
    assert sweep() == 1
    row = InboundEmail.objects.get()
    assert row.state == State.FAILED and row.attempts == 2 and "Crash" in row.reason
    assert sweep(now=timezone.now() + timedelta(days=1)) == 0 and not Ticket.objects.exists()


def test_a_worker_dying_on_the_last_attempt_fails_the_row(settings, department):
    settings.INBOUND_MAX_ATTEMPTS = 1
    row, _ = email_receive(message=_message())
    started = timezone.now()
    claim(kind=EMAIL, inbound_id=row.pk, now=started)
    assert sweep(now=started + LEASE + timedelta(seconds=1)) == 0
    row = InboundEmail.objects.get()
    assert row.state == State.FAILED and row.lease_until is None and not Ticket.objects.exists()


def test_broker_down_the_webhook_still_answers_and_the_sweep_takes_the_message_later(client, department, priority):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with celery_broker(f"redis://127.0.0.1:{port}/8"):
        response = post(client, EMAIL)
    assert response.status_code == 200
    row = InboundEmail.objects.get()
    assert row.state == State.RECEIVED and row.attempts == 0 and not Ticket.objects.exists()

    assert sweep() == 0  # queued a moment ago: it may still be on its way
    assert sweep(now=timezone.now() + LEASE) == 1
    assert InboundEmail.objects.get().state == State.TICKET and Ticket.objects.count() == 1


def test_a_refusal_is_final_and_not_retried(client, settings, department):
    settings.INBOUND_UNKNOWN_SENDERS = "refuse"
    post(client, EMAIL)
    row = InboundEmail.objects.get()
    assert row.state == State.REFUSED and row.attempts == 1 and row.lease_until is None
    assert sweep(now=timezone.now() + timedelta(days=1)) == 0


def stored(channel):
    """A stored message whose queued processing never runs (the test's transaction never commits)."""
    if channel == EMAIL:
        return email_receive(message=_message())[0]
    return sms_receive(message_id="7002", sender="09351234567", text="تلفن کار نمی‌کند", source="callback")[0]


def _message():
    return AnymailInboundMessage.parse_raw_mime_bytes(eml(sender="new@example.net", message_id="<durable@x>"))


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_processes_it_and_after_a_crash_the_sweep_retries_it(
    worker, client, department, priority, crashes
):
    """No eager mode: the webhook's commit queues the task on Redis, the worker's first attempt crashes, the sweep
    queues it again and the worker files exactly one ticket."""
    assert post(client, EMAIL).status_code == 200
    wait_for(lambda: InboundEmail.objects.filter(state=State.RECEIVED, attempts=1).exists())
    assert not Ticket.objects.exists() and crashes["calls"] == 1

    assert inbound_sweep() == 1
    wait_for(lambda: InboundEmail.objects.filter(state=State.TICKET).exists())
    row = InboundEmail.objects.get()
    assert row.attempts == 2 and Ticket.objects.get() == row.ticket and Message.objects.count() == 1

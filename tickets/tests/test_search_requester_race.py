"""A customer's reply and a change of that customer's mobile at the same moment (PostgreSQL: SQLite lets one writer in
at a time). The reply holds the ticket's row and then needs the user's row (its message's author, by foreign key);
the change must therefore lock the requester's tickets before the user's row (`accounts.hooks` "contact changing"),
or the two would wait for each other until PostgreSQL aborts one of them as a deadlock."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from accounts import services as account_services
from tickets import services
from tickets.filters import search_tickets
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

NEW_MOBILE = "09125554433"


def found(text: str) -> set[str]:
    return set(search_tickets(Ticket.objects.all(), text).values_list("reference", flat=True))


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_a_reply_and_a_mobile_change_at_once_both_succeed(make_ticket, customer):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers (PostgreSQL)")
    ticket = make_ticket(subject="مودم قطع است")
    locked = threading.Event()
    errors: list[BaseException] = []

    def reply():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=ticket.pk)  # what reply_add takes first
                locked.set()
                deadline = time.monotonic() + 10
                while not waiting_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.05)  # until the change waits for this ticket
                services.reply_add(ticket=ticket, author=customer, body="هنوز وصل نشده")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    def change():
        try:
            locked.wait(timeout=10)
            account_services.user_update(user=customer, mobile=NEW_MOBILE)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reply), threading.Thread(target=change)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert found(NEW_MOBILE) == {ticket.reference}
    assert found("نشده") == {ticket.reference}  # the reply's text survived the rebuild

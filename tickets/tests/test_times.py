"""How long the first response and the resolution took, stored on the ticket by the services when they happen
(wall-clock seconds, and business seconds on the SLA calendar without the paused time), and how often it was
reopened. Hand-computed on the default calendar (Sat–Wed 08:00–16:00, Thu 08:00–12:00, Fri off), Tehran time."""

import datetime as dt

import pytest
import time_machine

from tickets import services, sla
from tickets.models import Holiday, Status

pytestmark = pytest.mark.django_db

T = sla.TEHRAN
HOUR = 3600


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=T)


def test_first_response_across_thursday_friday_and_a_holiday(make_ticket, agent):
    """Wed 2025-05-14 15:00 → Sun 18 09:30 with Sat 17 a holiday: Wed 1 h + Thu 4 h + Sun 1.5 h = 6.5 h."""
    Holiday.objects.create(date=dt.date(2025, 5, 17), name="تعطیل")
    with time_machine.travel(at(5, 14, 15), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(5, 18, 9, 30), tick=False):
        services.reply_add(ticket=ticket, author=agent, body="بررسی می‌کنیم.")
    ticket.refresh_from_db()
    assert ticket.first_response_business_seconds == int(6.5 * HOUR)
    assert ticket.first_response_seconds == (3 * 24 + 18) * HOUR + 30 * 60  # Wed 15:00 → Sun 09:30: 90.5 h
    assert ticket.resolution_seconds is None


def test_paused_time_is_not_business_time_and_a_reopen_counts(make_ticket, agent, customer):
    """Sat 2025-05-24 09:00 filed; 10:00 waiting on the customer; 13:00 the customer answers (3 h paused);
    14:00 first response; Sun 10:00 resolved; Mon 09:00 reopened; Mon 11:00 resolved again."""
    with time_machine.travel(at(5, 24, 9), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(5, 24, 10), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.WAITING, actor=agent)
    with time_machine.travel(at(5, 24, 13), tick=False):
        services.reply_add(ticket=ticket, author=customer, body="این هم اطلاعات.")
    with time_machine.travel(at(5, 24, 14), tick=False):
        services.reply_add(ticket=ticket, author=agent, body="درست شد؟")
    ticket.refresh_from_db()
    assert (ticket.first_response_seconds, ticket.first_response_business_seconds) == (5 * HOUR, 2 * HOUR)

    with time_machine.travel(at(5, 25, 10), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    ticket.refresh_from_db()
    # Sat 09–16 (7 h) + Sun 08–10 (2 h) = 9 h, less the 3 h paused; 25 h on the clock
    assert (ticket.resolution_seconds, ticket.resolution_business_seconds) == (25 * HOUR, 6 * HOUR)

    with time_machine.travel(at(5, 26, 9), tick=False):
        services.ticket_reopen(ticket=ticket, actor=customer)
    ticket.refresh_from_db()
    assert (ticket.reopen_count, ticket.resolution_seconds, ticket.resolution_business_seconds) == (1, None, None)

    with time_machine.travel(at(5, 26, 11), tick=False):
        services.reply_add(ticket=ticket, author=agent, body="دوباره درست شد.", status=Status.RESOLVED)
    ticket.refresh_from_db()
    # 7 + 8 + 3 = 18 business hours, less 3 h waiting and 7 h resolved (Sun 10–16, Mon 08–09); 50 h on the clock
    assert (ticket.resolution_seconds, ticket.resolution_business_seconds) == (50 * HOUR, 8 * HOUR)
    assert ticket.first_response_seconds == 5 * HOUR  # the first response stays the first one


def test_closing_without_resolving_records_the_resolution_time(make_ticket, agent):
    with time_machine.travel(at(5, 24, 9), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(5, 24, 12), tick=False):
        services.ticket_close(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    assert (ticket.resolution_seconds, ticket.resolution_business_seconds, ticket.reopen_count) == (
        3 * HOUR,
        3 * HOUR,
        0,
    )

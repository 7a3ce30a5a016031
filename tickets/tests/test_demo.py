"""Demo data: loads on top of accounts.demo, twice without duplicates, and nothing without the demo users."""

import pytest

from accounts import demo as accounts_demo
from tickets import demo
from tickets.models import Department, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_nothing_without_demo_users():
    assert demo.load() == []
    assert not Department.objects.filter(name__in=[demo.TECH, demo.FINANCE, demo.SALES]).exists()
    assert not Ticket.objects.exists()


def test_loads_and_is_idempotent():
    accounts_demo.load()
    assert demo.load() == []
    counts = (Department.objects.count(), Ticket.objects.count(), Message.objects.count(), TicketEvent.objects.count())
    assert counts[1] == 6
    assert Ticket.objects.filter(is_internal=True).count() == 1
    assert Message.objects.filter(is_internal=True).exists()
    assert Ticket.objects.filter(status="closed").exists()
    assert Ticket.objects.filter(tags__name="چاپگر").exists()
    assert Ticket.objects.filter(resolution_due__isnull=False).exists(), "demo SLA policies give due times"
    demo.load()
    assert counts == (
        Department.objects.count(),
        Ticket.objects.count(),
        Message.objects.count(),
        TicketEvent.objects.count(),
    )

"""Smoke test of the bench seeder (outside `make test`: `.venv/bin/pytest bench/test_seed.py`; SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from bench import seed
from helpdesk.persian import normalize
from tickets.models import Department, Message, Ticket
from tickets.services._common import rebuild_search_document
from tickets.services.sla import sla_scan

pytestmark = pytest.mark.django_db


def test_seed_writes_what_the_app_would_and_the_pages_read_it() -> None:
    totals = seed.seed(300)

    assert totals["tickets"] == Ticket.objects.count() == 300
    assert 900 <= Message.objects.count() == totals["messages"] <= 1500
    # the stored search text is what the services rebuild from the ticket, its requester and its public messages
    for ticket in Ticket.objects.order_by("pk")[:20]:
        stored = ticket.search_document
        assert rebuild_search_document(ticket) == stored
    shares = {
        label: Ticket.objects.filter(search_document__contains=normalize(word)).count() / 300
        for label, word, _typed, _sentence, _share in seed.TERMS
    }
    assert shares["rare"] == 1 / 300
    assert 0.03 < shares["~10 %"] < 0.2 and 0.4 < shares["~50 %"] < 0.6 and 0.7 < shares["~80 %"] < 0.9
    # overdue running tickets were recorded as the scan would have: no backlog left for it
    result = sla_scan()
    assert (result.breached, result.warned) == ([], [])
    # the id sequence continues after the explicit ids
    ticket = Ticket.objects.create(department=Department.objects.first(), subject="x", reference="X1", is_internal=True)
    assert ticket.pk == 301

    client = Client()
    client.force_login(User.objects.get(email="manager@bench.example"))
    rare = Ticket.objects.get(search_document__contains=normalize(seed.TERMS[0][1]))
    other = Ticket.objects.exclude(pk=rare.pk).order_by("-last_activity_at").first()
    response = client.get("/tickets/queue/", {"q": seed.TERMS[0][2], "status": "any"})
    assert response.status_code == 200
    assert rare.reference in response.content.decode() and other.reference not in response.content.decode()

"""Fault drill (issue #10, item 1) for an Article 6 step: the database connection dies at every write and at the
commit of "review" through the real view on PostgreSQL. Either the page says it was done and the step, its timeline
event and the seller's notifications are stored, or it answers "not saved, try again" (503) and nothing is."""

from __future__ import annotations

import importlib

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from limits import events, services
from limits.models import IncreaseRequest, State
from limits.periods import Period
from testing.faults import Drill, require_postgresql, run_drill
from testing.fixtures import TEST_REDIS_URL, celery_broker, redis_available

from .conftest import signed_form, tehran
from .factories import TaxpayerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(transactional_db):
    """The Article 6 ticket type and the year parameters, as migrations seed them (an earlier transactional test may
    have flushed them; `serialized_rollback` would instead leave the next tests without content types)."""
    from django.apps import apps

    for module, function in (("0002_seed_year_parameters", "seed"), ("0004_article6_ticket_type", "create")):
        getattr(importlib.import_module(f"limits.migrations.{module}"), function)(apps, None)


def test_an_article6_step_is_stored_with_its_notification_or_refused(seeded, officer):
    require_postgresql()
    if not redis_available():
        from conftest import service_unavailable

        service_unavailable(f"Redis is not reachable at {TEST_REDIS_URL}")
    client = Client(raise_request_exception=False)
    client.force_login(officer)

    def setup():
        taxpayer = TaxpayerFactory()
        return services.increase_request_file(
            taxpayer=taxpayer,
            period=Period(1404, 2),
            amount=1_000,
            signed_form=signed_form(),
            filed_by=taxpayer.owner_user,
        )

    def post(increase):
        return client.post(reverse("limits:request_action", args=[increase.pk, "review"]))

    def event(increase):
        found = increase.ticket.events.filter(kind=events.UNDER_REVIEW).first()
        assert (found is not None) == (IncreaseRequest.objects.get(pk=increase.pk).state == State.UNDER_REVIEW)
        return found

    with time_machine.travel(tehran(1404, 6, 20), tick=False), celery_broker(TEST_REDIS_URL):
        run_drill(Drill("increase_request_review", setup, post, event))

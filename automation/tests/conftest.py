"""Fixtures for the automation tests: the tickets fixtures (department, staff, customers, `make_ticket` through the
real `ticket_create`) plus rule helpers."""

import pytest

from tickets.tests.conftest import (  # noqa: F401 - re-exported fixtures
    agent,
    colleague,
    customer,
    department,
    make_ticket,
    notified,
    org,
    other_agent,
    priority,
    stranger,
    supervisor,
    ticket,
)

from .factories import RuleFactory


@pytest.fixture
def rule(db):
    """Build a rule: `rule(name=…, keywords=…, set_priority=…)`; saved after `full_clean()` like the admin does."""

    def make(**kwargs):
        obj = RuleFactory.build(**kwargs)
        obj.full_clean()
        obj.save()
        return obj

    return make

"""Fixtures for the automation tests: rule helpers (department, staff, customers and `make_ticket` come from the
`testing.fixtures` plugin)."""

import pytest

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

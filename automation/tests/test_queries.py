"""Pinned query counts (#9) of the automation admin: rules, round-robin routing, agents' away status."""

import pytest

from accounts.tests.factories import AgentFactory
from automation.models import AgentStatus, DepartmentRouting, Rule
from helpdesk.tests.pins import AdminPins, admin_names, admin_pins
from tickets.tests.factories import DepartmentFactory

from .factories import RuleFactory

pytestmark = pytest.mark.django_db

ADMIN = {
    Rule: AdminPins(changelist=8, add=11, change=12, history=5, delete=4),
    DepartmentRouting: AdminPins(changelist=6, add=4, change=7, history=6, delete=5),
    AgentStatus: AdminPins(changelist=6, add=4, change=6, history=6, delete=5),
}


def _rules(n: int) -> Rule:
    department, agent = DepartmentFactory(), AgentFactory()
    return RuleFactory.create_batch(n, department=department, set_department=department, set_assignee=agent)[-1]


def _routings(n: int) -> DepartmentRouting:
    return [
        DepartmentRouting.objects.create(department=DepartmentFactory(), round_robin=True, last_assigned=AgentFactory())
        for _ in range(n)
    ][-1]


def _statuses(n: int) -> AgentStatus:
    return [AgentStatus.objects.create(user=AgentFactory(), is_away=True) for _ in range(n)][-1]


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, site_admin, model):
    client.force_login(site_admin)
    admin_pins(client, model, ADMIN[model], {Rule: _rules, DepartmentRouting: _routings, AgentStatus: _statuses}[model])

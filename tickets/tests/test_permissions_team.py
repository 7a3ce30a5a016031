"""`team_tickets`: what the agents of the departments a supervisor supervises see (the supervision rule that the
Article 6 pages follow); the ticket queue's own rule (`visible_tickets`) is unchanged by it."""

import pytest

from accounts.tests.factories import AgentFactory, CustomerFactory, ManagerFactory, SupervisorFactory
from tickets import permissions, services

from .factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def file(department, customer, subject):
    return services.ticket_create(
        requester=customer, department=department, subject=subject, body="…", channel="web", created_by=customer
    )


@pytest.fixture
def world():
    customer = CustomerFactory()
    agent, outsider_agent = AgentFactory(), AgentFactory()
    own, second, unrelated = (
        DepartmentFactory(members=[agent]),
        DepartmentFactory(members=[agent]),
        DepartmentFactory(members=[outsider_agent]),
    )
    supervisor = SupervisorFactory()
    own.supervisors.add(supervisor)
    tickets = {
        "own": file(own, customer, "own"),
        "second": file(second, customer, "second"),  # the agent works it too
        "unrelated": file(unrelated, customer, "unrelated"),
        "followed": file(unrelated, customer, "followed"),
    }
    services.follower_add(ticket=tickets["followed"], user=agent, actor=ManagerFactory())
    return {"supervisor": supervisor, "agent": agent, "customer": customer, **tickets}


def subjects(queryset):
    return set(queryset.values_list("subject", flat=True))


def test_a_supervisor_sees_what_their_agents_see(world):
    assert subjects(permissions.team_tickets(world["supervisor"])) == subjects(
        permissions.visible_tickets(world["agent"])
    )
    assert subjects(permissions.team_tickets(world["supervisor"])) == {"own", "second", "followed"}


def test_the_queue_keeps_its_own_rule(world):
    assert subjects(permissions.visible_tickets(world["supervisor"])) == {"own"}


def test_nobody_else_gets_a_team(world):
    assert not permissions.team_tickets(world["agent"]).exists()  # supervises nothing
    assert not permissions.team_tickets(world["customer"]).exists()
    assert not permissions.team_tickets(SupervisorFactory()).exists()
    assert subjects(permissions.team_tickets(ManagerFactory())) == {"own", "second", "unrelated", "followed"}

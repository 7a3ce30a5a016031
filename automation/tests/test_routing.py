"""Round-robin assignment inside a department, skipping away agents and non-members; the away status service."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from automation.models import AgentStatus, DepartmentRouting
from automation.routing import ERR_AWAY_UNTIL_PAST, agent_set_away, next_agent
from tickets import events
from tickets.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(department, agent):
    """Three agents in the department (by id order: agent, b, c) with round-robin on."""
    b, c = AgentFactory(full_name="بهار"), AgentFactory(full_name="کاوه")
    department.members.add(b, c)
    DepartmentRouting.objects.create(department=department, round_robin=True)
    return [agent, b, c]


def assignees(make_ticket, n):
    return [make_ticket().assignee for _ in range(n)]


def test_rotation_is_fair_and_wraps(team, make_ticket, department):
    assert assignees(make_ticket, 5) == [team[0], team[1], team[2], team[0], team[1]]
    assert DepartmentRouting.objects.get(department=department).last_assigned == team[1]


def test_assignment_is_a_system_event(team, make_ticket):
    ticket = make_ticket()
    event = ticket.events.get(kind=events.ASSIGNED)
    assert event.actor is None and event.data["new"]["id"] == team[0].pk


def test_away_agents_are_skipped_until_they_return(team, make_ticket):
    agent_set_away(user=team[1], away=True)
    assert assignees(make_ticket, 3) == [team[0], team[2], team[0]]
    agent_set_away(user=team[1], away=False)
    assert assignees(make_ticket, 1) == [team[1]]


def test_away_until_ends_by_itself(team, make_ticket):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        agent_set_away(user=team[0], away=True, until=timezone.now() + timedelta(hours=2))
        assert make_ticket().assignee == team[1]
        traveller.shift(timedelta(hours=3))
        assert make_ticket().assignee == team[2]
        assert make_ticket().assignee == team[0]  # back in the rotation


def test_non_members_inactive_and_customers_are_never_picked(team, make_ticket, department, supervisor):
    gone = AgentFactory(is_active=False)
    customer = CustomerFactory()
    department.members.add(gone, customer)
    outsider = AgentFactory()
    DepartmentFactory(members=[outsider])
    picked = set(assignees(make_ticket, 6))
    assert picked == set(team)  # the supervisor (not a member), inactive, customer and outsider are left out
    assert supervisor not in picked


def test_nobody_available_leaves_the_ticket_unassigned(team, make_ticket):
    for member in team:
        agent_set_away(user=member, away=True)
    ticket = make_ticket()
    assert ticket.assignee is None and not ticket.events.filter(kind=events.ASSIGNED).exists()


def test_round_robin_off_or_other_department_does_nothing(team, make_ticket, department):
    other = DepartmentFactory(members=[AgentFactory()])
    assert make_ticket(department=other).assignee is None
    DepartmentRouting.objects.filter(department=department).update(round_robin=False)
    assert make_ticket().assignee is None


def test_an_assignee_set_by_staff_or_a_rule_is_kept(team, make_ticket, rule, agent):
    staff = SupervisorFactory()
    team[0].departments.first().supervisors.add(staff)
    ticket = make_ticket(created_by=staff, assignee=team[2], channel="staff")
    assert ticket.assignee == team[2]
    rule(set_assignee=team[1])
    assert make_ticket().assignee == team[1]
    assert DepartmentRouting.objects.get().last_assigned is None  # the rotation didn't move


def test_round_robin_uses_the_department_after_a_rule_transfer(team, make_ticket, rule):
    sales_agent = AgentFactory()
    sales = DepartmentFactory(name="فروش", members=[sales_agent])
    DepartmentRouting.objects.create(department=sales, round_robin=True)
    rule(keywords="قیمت", set_department=sales)
    assert make_ticket(subject="قیمت").assignee == sales_agent


def test_next_agent_when_the_last_one_left():
    a, b = AgentFactory.build(pk=3), AgentFactory.build(pk=7)
    assert next_agent([a, b], 5) == b  # the one after the departed id 5
    assert next_agent([a, b], 9) == a  # wraps
    assert next_agent([a, b], None) == a
    assert next_agent([], 1) is None


def test_agent_set_away_refuses_an_end_in_the_past(agent):
    with pytest.raises(ValidationError) as info:
        agent_set_away(user=agent, away=True, until=timezone.now() - timedelta(minutes=1))
    assert info.value.messages == [str(ERR_AWAY_UNTIL_PAST)]
    assert info.value.code == "away_until_past"
    assert not AgentStatus.objects.exists()


def test_agent_set_away_back_clears_the_end(agent):
    agent_set_away(user=agent, away=True, until=timezone.now() + timedelta(days=1))
    status = agent_set_away(user=agent, away=False)
    assert (status.is_away, status.away_until) == (False, None)
    assert AgentStatus.objects.count() == 1

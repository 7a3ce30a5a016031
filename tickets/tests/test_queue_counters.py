"""The staff home's counters at the top of the queue: each counts the tickets its link lists, in one query."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from helpdesk.tests.pins import pinned_get
from tickets.models import Status

from .factories import DepartmentFactory, TicketFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def tickets(agent, department):
    other = DepartmentFactory()
    made = {
        "mine": TicketFactory(department=department, assignee=agent, status=Status.OPEN),
        "mine_due": TicketFactory(department=department, assignee=agent, resolution_due=NOW + HOUR),
        "first_response_due": TicketFactory(department=department, first_response_due=NOW + HOUR),
        "answered_due_late": TicketFactory(
            department=department, first_response_due=NOW + HOUR, first_response_at=NOW - HOUR, status=Status.OPEN
        ),
        "overdue": TicketFactory(department=department, resolution_due=NOW - HOUR, status=Status.OPEN),
        "paused_due": TicketFactory(
            department=department, status=Status.WAITING, resolution_due=NOW + HOUR, sla_paused_at=NOW - HOUR
        ),
        "unanswered_late": TicketFactory(
            department=department, first_response_due=NOW - HOUR, resolution_due=NOW + 5 * HOUR, status=Status.OPEN
        ),
        "paused_late": TicketFactory(
            department=department, status=Status.WAITING, resolution_due=NOW - HOUR, sla_paused_at=NOW - 2 * HOUR
        ),
        "resolved_overdue": TicketFactory(department=department, status=Status.RESOLVED, resolution_due=NOW - HOUR),
        "elsewhere": TicketFactory(department=other, resolution_due=NOW - HOUR),  # not visible to the agent
    }
    return made


def counters(response) -> dict[str, int]:
    return {c.key: c.count for c in response.context["counters"]}


def test_counters_count_what_their_links_list(staff_client, tickets):
    with time_machine.travel(NOW, tick=False):
        response = staff_client.get(reverse("tickets:queue_counters"))
        found = counters(response)
        # Overdue: the resolution passed, or the first response while unanswered; not a paused clock.
        assert found == {"mine": 2, "due_soon": 2, "overdue": 2, "unassigned": 6, "waiting": 2}
        listed = staff_client.get(reverse("tickets:queue") + "?view=overdue").context["page_obj"].object_list
        assert {t.pk for t in listed} == {tickets["overdue"].pk, tickets["unanswered_late"].pk}
        assert tickets["unanswered_late"].is_overdue and not tickets["paused_late"].is_overdue
        for counter in response.context["counters"]:
            listed = staff_client.get(counter.url).context["page_obj"].paginator.count
            assert listed == counter.count, counter.key
    text = response.content.decode()
    assert 'href="/tickets/queue/?view=due_soon"' in text and "موعد تا ۲ ساعت دیگر" in text


def test_the_queue_loads_the_counters_after_the_page(staff_client, tickets):
    """The queue page itself does not count: it holds a slot that fetches the counters once shown."""
    response = staff_client.get(reverse("tickets:queue"))
    assert "counters" not in response.context
    text = response.content.decode()
    assert f'hx-get="{reverse("tickets:queue_counters")}" hx-trigger="load"' in text
    assert "tk-counter-mine" not in text


@pytest.mark.pins("tickets:queue_counters")
def test_the_counters_cost_one_query(staff_client, tickets):
    """3 queries: session, user and the counters (one query of capped scalar subqueries); the same with more
    tickets."""
    with time_machine.travel(NOW, tick=False):
        pinned_get(staff_client, reverse("tickets:queue_counters"), 3, HTTP_HX_REQUEST="true")
        for _ in range(5):
            TicketFactory(department=tickets["mine"].department, resolution_due=NOW + HOUR)
        response = pinned_get(staff_client, reverse("tickets:queue_counters"), 3, HTTP_HX_REQUEST="true")
    assert counters(response)["due_soon"] == 7


def test_the_counters_are_for_staff_only(client, customer, tickets):
    client.force_login(customer)
    assert client.get(reverse("tickets:queue_counters")).status_code == 404

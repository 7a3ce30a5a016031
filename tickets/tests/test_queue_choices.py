"""The queue's choice lists (departments, types, priorities, staff) stay cached until a row they list changes
(#15.4): no expiry every minute, and a change shows on the next page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CustomerFactory
from helpdesk.tests.pins import assert_queries
from tickets.models import Department, Priority, TicketType

from .factories import DepartmentFactory, PriorityFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("tickets:queue")
PAGE = 6  # the queue's pin (test_views_queue.py) once the lists are cached
LISTS = 4  # departments, types, priorities, staff: read again after a change


@pytest.fixture
def staff_client(client, agent, department, ticket):
    client.force_login(agent)
    client.get(QUEUE)  # the lists are cached
    return client


def get(client, queries: int) -> str:
    with assert_queries(queries):
        response = client.get(QUEUE)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lists_do_not_expire_by_time(staff_client):
    """Two hours on (local-memory cache: expired entries go; Redis keeps its own clock) the types list, read only
    for the choices, is not read again."""
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(QUEUE).status_code == 200
        assert not [q for q in ctx.captured_queries if 'FROM "tickets_tickettype"' in q["sql"]]
        get(staff_client, PAGE)


@pytest.mark.parametrize(
    "change",
    [
        lambda: DepartmentFactory(name="واحد تازه"),
        lambda: TicketTypeFactory(name="واحد تازه"),
        lambda: PriorityFactory(name="واحد تازه"),
        lambda: AgentFactory(full_name="واحد تازه"),
    ],
    ids=["department", "type", "priority", "agent"],
)
def test_a_new_row_shows_on_the_next_page(staff_client, change):
    change()
    assert "واحد تازه" in get(staff_client, PAGE + LISTS)
    get(staff_client, PAGE)  # cached again


def test_a_rename_a_deactivation_and_a_deletion_show_on_the_next_page(staff_client, department):
    department.name = "نام تازه"
    department.save()
    assert "نام تازه" in get(staff_client, PAGE + LISTS)
    other = DepartmentFactory(name="برای حذف")
    assert "برای حذف" in get(staff_client, PAGE + LISTS)
    other.is_active = False
    other.save(update_fields=["is_active"])
    assert "برای حذف" not in get(staff_client, PAGE + LISTS)
    Department.objects.filter(pk=other.pk).delete()  # a queryset delete sends post_delete per row
    get(staff_client, PAGE + LISTS)


def test_changes_the_lists_do_not_show_keep_the_cache(staff_client, agent):
    agent.save(update_fields=["last_login"])  # every login does this
    CustomerFactory()  # customers are listed nowhere
    get(staff_client, PAGE)


def test_staff_who_leave_the_list_are_forgotten(teammate, staff_client):
    assert teammate.full_name in get(staff_client, PAGE)
    teammate.role = "customer"
    teammate.save()
    assert teammate.full_name not in get(staff_client, PAGE + LISTS)
    teammate.is_active = False
    teammate.save()  # no longer listed: nothing to forget
    get(staff_client, PAGE)


def test_every_listed_model_is_watched():
    from accounts.models import User
    from tickets.selectors import CHOICE_MODELS

    assert set(CHOICE_MODELS) == {Department, TicketType, Priority, User}

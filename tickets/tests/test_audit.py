"""Department changes in the audit trail (#14.6): a person's departments (the Employees page) and a department's
people (its own admin page) both go through a service that records before → after."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from helpdesk.models import AuditEntry
from helpdesk.tests.errors import error_codes
from tickets import services
from tickets.services.errors import TicketError
from tickets.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def entries():
    return list(AuditEntry.objects.filter(action="departments_change").order_by("pk"))


def test_a_persons_departments(site_admin):
    support, billing = DepartmentFactory(name="پشتیبانی"), DepartmentFactory(name="مالی")
    person = AgentFactory()
    support.members.add(person)
    services.employee_set_departments(user=person, member_of=[billing], supervises=[support], actor=site_admin)
    services.employee_set_departments(user=person, member_of=[billing], supervises=[support], actor=site_admin)
    (entry,) = entries()
    assert (entry.actor, entry.target_type, entry.target_id) == (site_admin, "accounts.user", str(person.pk))
    assert entry.before == {"member_of": ["پشتیبانی"], "supervises": []}
    assert entry.after == {"member_of": ["مالی"], "supervises": ["پشتیبانی"]}


def test_a_departments_people_from_its_admin_page(client, site_admin):
    department = DepartmentFactory(name="حقوقی")
    agent, supervisor = AgentFactory(full_name="کارشناس"), SupervisorFactory(full_name="سرپرست")
    department.members.add(agent)
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:tickets_department_change", args=[department.pk]),
        {
            "name": "حقوقی",
            "description": "",
            "is_public": "on",
            "is_active": "on",
            "members": [agent.pk, supervisor.pk],
            "supervisors": [supervisor.pk],
        },
        REMOTE_ADDR="192.0.2.61",
    )
    assert response.status_code == 302
    assert set(department.members.all()) == {agent, supervisor} and list(department.supervisors.all()) == [supervisor]
    (entry,) = entries()
    assert (entry.actor, entry.ip, entry.target_type) == (site_admin, "192.0.2.61", "tickets.department")
    assert entry.before == {"members": ["کارشناس"], "supervisors": []}
    assert entry.after == {"members": ["سرپرست", "کارشناس"], "supervisors": ["سرپرست"]}


def test_a_new_department_with_people_is_recorded(client, site_admin):
    agent = AgentFactory(full_name="کارشناس")
    client.force_login(site_admin)
    response = client.post(
        reverse("admin:tickets_department_add"),
        {"name": "فنی", "description": "", "is_public": "on", "is_active": "on", "members": [agent.pk]},
    )
    assert response.status_code == 302
    (entry,) = entries()
    assert (entry.before, entry.after) == ({"members": []}, {"members": ["کارشناس"]})


def test_a_customer_never_joins_a_department_and_nothing_is_recorded(site_admin):
    department = DepartmentFactory()
    with pytest.raises(TicketError) as refused:
        services.department_set_people(
            department=department, members=[CustomerFactory()], supervisors=[], actor=site_admin
        )
    assert error_codes(refused.value) == {"__all__": ["departments_not_staff"]}
    assert not department.members.exists() and entries() == []

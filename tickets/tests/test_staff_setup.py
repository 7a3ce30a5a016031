"""Staff set-up that just works (issue #11 §5): the Employees admin page (add and change) sets the departments a
person works in and supervises, through `employee_set_departments`; an agent in no department is told on the
queue why it is empty and whom to ask."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_set_role
from accounts.tests.factories import AdminFactory, AgentFactory, CustomerFactory, ManagerFactory, SupervisorFactory
from tickets import services
from tickets.services.errors import ERR_DEPARTMENTS_NOT_ALLOWED, ERR_DEPARTMENTS_NOT_STAFF
from tickets.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

EMPLOYEES = "/admin/accounts/employee/"
PASSWORD = "Gozarvazheh-1403!"


@pytest.fixture
def manager_client(client):
    manager = ManagerFactory()
    user_set_role(user=manager, role=Role.MANAGER)  # the Manager group's admin permissions
    client.force_login(manager)
    return client


@pytest.fixture
def support(db):
    return DepartmentFactory(name="پشتیبانی")


@pytest.fixture
def billing(db):
    return DepartmentFactory(name="مالی")


def new_employee(**changes):
    data = {
        "full_name": "کارشناس تازه",
        "email": "new.agent@example.com",
        "mobile": "",
        "national_id": "",
        "language": "fa",
        "role": "agent",
        "expires_at_0": "",
        "expires_at_1": "",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "_save": "Save",
    }
    data.update(changes)
    return data


# --- the Employees admin page -------------------------------------------------------------------------------------


def test_the_new_employee_page_asks_for_the_departments(manager_client, support, billing, make_ticket, client):
    page = BeautifulSoup(manager_client.get(EMPLOYEES + "add/").content, "html.parser")
    assert page.select_one("select[name=member_of]") is not None
    assert page.select_one("select[name=supervises]") is not None
    response = manager_client.post(
        EMPLOYEES + "add/", new_employee(member_of=[support.pk, billing.pk], supervises=[billing.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(email="new.agent@example.com")
    assert set(person.departments.all()) == {support, billing}
    assert list(person.supervised_departments.all()) == [billing]
    # The new agent's queue has their department's tickets from the first login.
    ticket = make_ticket(department=support)
    client.force_login(person)
    queue = client.get(reverse("tickets:queue"))
    assert [row.reference for row in queue.context["page_obj"].object_list] == [ticket.reference]


def test_the_employee_page_shows_and_changes_the_departments(manager_client, support, billing):
    person = AgentFactory()
    support.members.add(person)
    url = f"{EMPLOYEES}{person.pk}/change/"
    form = manager_client.get(url).context["adminform"].form
    assert form.initial["member_of"] == [support.pk] and form.initial["supervises"] == []
    data = {name: form.initial.get(name) for name in form.fields if name != "password"}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update({"is_active": "on", "expires_at_0": "", "expires_at_1": "", "member_of": [billing.pk]})
    data["supervises"] = [support.pk]
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(person.departments.all()) == [billing]
    assert list(person.supervised_departments.all()) == [support]


def test_an_unknown_department_is_refused_and_nothing_is_saved(manager_client, support):
    response = manager_client.post(EMPLOYEES + "add/", new_employee(member_of=[support.pk, 999999]))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "member_of" in errors and "999999" in str(errors["member_of"])
    assert not User.objects.filter(email="new.agent@example.com").exists()


def test_someone_who_may_only_view_sees_the_departments_as_text(client, support):
    supervisor = SupervisorFactory()
    user_set_role(user=supervisor, role=Role.SUPERVISOR)  # views employees, changes no department
    person = AgentFactory()
    support.members.add(person)
    client.force_login(supervisor)
    page = client.get(f"{EMPLOYEES}{person.pk}/change/")
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("select[name=member_of]") is None
    assert "پشتیبانی" in soup.select_one(".field-member_of").get_text()


# --- the service --------------------------------------------------------------------------------------------------


def test_only_staff_work_in_departments(support):
    with pytest.raises(ValidationError) as refused:
        services.employee_set_departments(user=CustomerFactory(), member_of=[support], supervises=[], actor=None)
    assert refused.value.code == "departments_not_staff" and refused.value.message == ERR_DEPARTMENTS_NOT_STAFF
    services.employee_set_departments(user=CustomerFactory(), member_of=[], supervises=[], actor=None)  # nothing


def test_changing_departments_needs_the_right(support):
    agent, other = AgentFactory(), AgentFactory()
    with pytest.raises(ValidationError) as refused:
        services.employee_set_departments(user=other, member_of=[support], supervises=[], actor=agent)
    assert refused.value.message == ERR_DEPARTMENTS_NOT_ALLOWED
    assert not other.departments.exists()


# --- the queue of an agent in no department -----------------------------------------------------------------------


def test_an_agent_in_no_department_is_told_why_the_queue_is_empty_and_whom_to_ask(client):
    AdminFactory(full_name="مدیر سامانه", email="it@example.com", mobile="09121112233")
    AdminFactory(full_name="مدیر بازنشسته", email="gone@example.com", is_active=False)
    client.force_login(AgentFactory())
    soup = BeautifulSoup(client.get(reverse("tickets:queue")).content, "html.parser")
    notice = soup.select_one("#no-department")
    text = notice.get_text(" ", strip=True)
    assert "شما عضو هیچ واحدی نیستید" in text and "مدیر سامانه باید شما را به واحدی اضافه کند" in text
    assert "مدیر سامانه" in text and notice.select_one("a[href='mailto:it@example.com']") is not None
    assert "۰۹۱۲۱۱۱۲۲۳۳" in text
    assert "gone@example.com" not in text
    assert "۰ تیکت" not in soup.get_text()


def test_without_an_admin_the_notice_still_says_who_can_fix_it(client):
    client.force_login(AgentFactory())
    notice = BeautifulSoup(client.get(reverse("tickets:queue")).content, "html.parser").select_one("#no-department")
    assert "مدیر سامانه باید" in notice.get_text() and notice.select_one("li") is None


def test_an_agent_with_a_department_sees_the_count(client, support):
    AdminFactory()
    agent = AgentFactory()
    support.supervisors.add(agent)  # supervising is working in it too
    client.force_login(agent)
    soup = BeautifulSoup(client.get(reverse("tickets:queue")).content, "html.parser")
    assert soup.select_one("#no-department") is None
    assert "۰ تیکت" in soup.get_text()


def test_an_agent_in_no_department_with_own_tickets_sees_them(client, make_ticket):
    loner = AgentFactory()
    make_ticket().followers.add(loner)
    client.force_login(loner)
    response = client.get(reverse("tickets:queue"))
    assert response.context["no_department"] is False
    assert len(response.context["page_obj"].object_list) == 1


def test_managers_see_every_department_and_no_notice(client):
    manager = ManagerFactory()
    client.force_login(manager)
    assert client.get(reverse("tickets:queue")).context["no_department"] is False

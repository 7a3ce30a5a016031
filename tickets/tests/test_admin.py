"""Admin pages: configuration CRUD pages load, the ticket browser is read-only, scoped and searchable, and its
actions go through the services."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tests.factories import ManagerFactory, SupervisorFactory
from helpdesk.persian import to_persian_digits
from tickets.models import Department, Status, Ticket, TicketEvent

from .factories import CannedResponseFactory, DepartmentFactory, PriorityFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.mark.parametrize("model", ["department", "tickettype", "priority", "cannedresponse", "ticket", "attachment"])
def test_changelists_load(superuser_client, ticket, model):
    CannedResponseFactory()
    TicketTypeFactory()
    response = superuser_client.get(reverse(f"admin:tickets_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["department", "tickettype", "priority", "cannedresponse"])
def test_add_pages_load(superuser_client, model):
    assert superuser_client.get(reverse(f"admin:tickets_{model}_add")).status_code == 200


def test_department_add(superuser_client, agent):
    response = superuser_client.post(
        reverse("admin:tickets_department_add"),
        {"name": "حقوقی", "description": "", "is_public": "on", "is_active": "on", "members": [agent.pk]},
    )
    assert response.status_code == 302
    assert Department.objects.get(name="حقوقی").members.get() == agent


def test_department_members_are_staff_only(superuser_client, agent, customer):
    response = superuser_client.get(reverse("admin:tickets_department_add"))
    choices = set(response.context["adminform"].form.fields["members"].queryset)
    assert agent in choices and customer not in choices


def test_priority_colour_validated(superuser_client):
    response = superuser_client.post(
        reverse("admin:tickets_priority_add"), {"name": "بحرانی", "order": 9, "colour": "red", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "colour" in response.context["adminform"].form.errors


def test_ticket_search_by_reference_and_requester(superuser_client, ticket, customer):
    url = reverse("admin:tickets_ticket_changelist")
    assert ticket.reference in superuser_client.get(url, {"q": ticket.reference}).content.decode()
    assert ticket.reference in superuser_client.get(url, {"q": customer.mobile}).content.decode()
    assert ticket.reference not in superuser_client.get(url, {"q": "9999999"}).content.decode()


def test_ticket_change_page_is_read_only(superuser_client, ticket):
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    superuser_client.post(url, {"subject": "changed"})
    assert Ticket.objects.get(pk=ticket.pk).subject == ticket.subject


def test_close_action_uses_the_service(superuser_client, ticket, notified):
    response = superuser_client.post(
        reverse("admin:tickets_ticket_changelist"),
        {"action": "close_selected", "_selected_action": [ticket.pk]},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
    assert TicketEvent.objects.filter(ticket=ticket, kind="status").exists()
    assert "status" in notified.kinds


def test_manager_role_group_can_configure(client, ticket):
    manager = ManagerFactory()
    user_set_role(user=manager, role=Role.MANAGER)
    client.force_login(manager)
    assert client.get(reverse("admin:tickets_department_add")).status_code == 200
    assert client.get(reverse("admin:tickets_ticket_changelist")).status_code == 200


def test_supervisor_sees_only_their_tickets_and_cannot_add_departments(client, ticket, department):
    supervisor = SupervisorFactory()
    user_set_role(user=supervisor, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    assert client.get(reverse("admin:tickets_department_add")).status_code == 403
    url = reverse("admin:tickets_ticket_changelist")
    shown = to_persian_digits(ticket.reference)  # the Persian admin writes every digit in Persian
    assert shown not in client.get(url).content.decode()
    department.supervisors.add(supervisor)
    assert shown in client.get(url).content.decode()
    other = DepartmentFactory()
    mine = CannedResponseFactory(scope="department", department=department, title="مال من")
    theirs = CannedResponseFactory(scope="department", department=other, title="مال دیگران")
    page = client.get(reverse("admin:tickets_cannedresponse_changelist")).content.decode()
    assert mine.title in page and theirs.title not in page


def test_priority_list(superuser_client):
    PriorityFactory(name="فوری", colour="#DC3545")
    page = superuser_client.get(reverse("admin:tickets_priority_changelist")).content.decode()
    assert '<span class="priority-colour" title="#DC3545">#DC3545</span>' in page

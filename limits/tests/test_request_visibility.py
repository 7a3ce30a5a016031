"""Who opens an increase request (issue #11.2): a supervisor sees everything the agents of the departments they
supervise see, Article 6 included. The matrix, on the request page, the staff list and the step actions."""

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CustomerFactory, ManagerFactory, SupervisorFactory
from limits import services
from limits.periods import Period
from tickets.tests.factories import DepartmentFactory

from .conftest import signed_form, tehran
from .factories import TaxpayerFactory

pytestmark = pytest.mark.django_db

# who → (opens the request, finds it in the staff list, may open its ticket from the page)
MATRIX = {
    "agent_of_the_department": (True, True, True),
    "supervisor_of_the_department": (True, True, True),
    "supervisor_of_the_agents_other_department": (True, True, False),  # the reported 404
    "supervisor_of_another_department": (False, False, False),
    "manager": (True, True, True),
    "customer_owner": (True, None, True),
    "other_customer": (False, None, False),
}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(tehran(1404, 5, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(officer):
    """The officer works the Article 6 department and the technical one; each supervisor oversees one department."""
    article6 = services.article6_ticket_type().default_department
    technical = DepartmentFactory(members=[officer])
    elsewhere = DepartmentFactory(members=[AgentFactory()])
    people = {
        "agent_of_the_department": officer,
        "supervisor_of_the_department": SupervisorFactory(),
        "supervisor_of_the_agents_other_department": SupervisorFactory(),
        "supervisor_of_another_department": SupervisorFactory(),
        "manager": ManagerFactory(),
        "customer_owner": CustomerFactory(),
        "other_customer": CustomerFactory(),
    }
    article6.supervisors.add(people["supervisor_of_the_department"])
    technical.supervisors.add(people["supervisor_of_the_agents_other_department"])
    elsewhere.supervisors.add(people["supervisor_of_another_department"])
    return people


@pytest.fixture
def increase(people):
    taxpayer = TaxpayerFactory(owner_user=people["customer_owner"])
    return services.increase_request_file(
        taxpayer=taxpayer,
        period=Period(1404, 2),
        amount=1_000_000,
        signed_form=signed_form(),
        filed_by=people["customer_owner"],
    )


@pytest.mark.parametrize("who", list(MATRIX))
def test_request_page(client, people, increase, who):
    opens, _listed, ticket_link = MATRIX[who]
    client.force_login(people[who])
    response = client.get(reverse("limits:request_detail", args=[increase.pk]))
    assert response.status_code == (200 if opens else 404)
    if opens:
        links = BeautifulSoup(response.content, "html.parser").select("a[href]")
        ticket_url = reverse("tickets:detail", args=[increase.ticket.reference])
        assert any(a["href"] == ticket_url for a in links) is ticket_link
        # the link, when shown, opens: never a 404 behind it
        if ticket_link:
            assert client.get(ticket_url, follow=True).status_code == 200


@pytest.mark.parametrize("who", [w for w, (_o, listed, _t) in MATRIX.items() if listed is not None])
def test_staff_list(client, people, increase, who):
    _opens, listed, _ticket = MATRIX[who]
    client.force_login(people[who])
    response = client.get(reverse("limits:request_list"))
    assert response.status_code == 200
    assert [r.pk for r in response.context["page_obj"]] == ([increase.pk] if listed else [])


def test_a_supervisor_who_sees_through_the_team_does_not_take_the_steps(client, people, increase):
    """Seeing is the supervision rule; the steps stay with those who work the request's department."""
    client.force_login(people["supervisor_of_the_agents_other_department"])
    page = client.get(reverse("limits:request_detail", args=[increase.pk]))
    assert page.context["actions"] == []
    assert client.post(reverse("limits:request_action", args=[increase.pk, "review"])).status_code == 404
    client.force_login(people["supervisor_of_the_department"])
    assert [a["name"] for a in client.get(reverse("limits:request_detail", args=[increase.pk])).context["actions"]]


def test_the_team_rule_follows_the_agent(client, people, increase):
    """An agent who leaves the Article 6 department takes their supervisor's view of its requests with them."""
    supervisor = people["supervisor_of_the_agents_other_department"]
    services.article6_ticket_type().default_department.members.remove(people["agent_of_the_department"])
    client.force_login(supervisor)
    assert client.get(reverse("limits:request_detail", args=[increase.pk])).status_code == 404

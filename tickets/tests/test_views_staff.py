"""Staff file tickets (F07): for a customer found by search or created on the spot, and internal tickets."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import AgentFactory, CustomerFactory, ManagerFactory
from tickets.models import Channel, Ticket

from .factories import DepartmentFactory
from .views_support import html_file, png

pytestmark = pytest.mark.django_db

CREATE = "/tickets/staff/new/"


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


def test_customers_get_a_404(client, customer):
    client.force_login(customer)
    assert client.get(CREATE).status_code == 404
    assert client.get(reverse("tickets:customer_search") + "?customer_q=ab").status_code == 404
    assert client.post(reverse("tickets:customer_create"), {"full_name": "x"}).status_code == 404


def test_ticket_for_a_customer(staff_client, agent, customer, department):
    response = staff_client.post(
        CREATE,
        {
            "kind": "customer",
            "requester": customer.pk,
            "department": department.pk,
            "assignee": agent.pk,
            "subject": "تماس تلفنی",
            "body": "مشتری زنگ زد.",
            "tags": "تلفن، پیگیری",
            "attachments": [png()],
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("tickets:detail", args=[ticket.reference])
    assert ticket.requester == customer and ticket.created_by == agent and ticket.channel == Channel.STAFF
    assert ticket.assignee == agent and not ticket.is_internal
    assert set(ticket.tags.names()) == {"تلفن", "پیگیری"}
    assert ticket.messages.get().attachments.count() == 1


def test_internal_ticket_to_a_department(staff_client, agent):
    billing = DepartmentFactory(name="مالی", is_public=False)
    staff_client.post(
        CREATE, {"kind": "internal", "department": billing.pk, "subject": "بودجه", "body": "لطفاً بررسی کنید"}
    )
    ticket = Ticket.objects.get()
    assert ticket.is_internal and ticket.requester is None and ticket.department == billing


def test_internal_ticket_to_an_agent_goes_to_their_department(staff_client):
    colleague = AgentFactory(full_name="نرگس")
    their_department = DepartmentFactory(name="فنی", members=[colleague])
    staff_client.post(CREATE, {"kind": "internal", "assignee": colleague.pk, "subject": "کمک", "body": "یک سؤال فنی"})
    ticket = Ticket.objects.get()
    assert ticket.assignee == colleague and ticket.department == their_department and ticket.is_internal


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "customer", "subject": "س", "body": "م"}, "requester"),
        ({"kind": "customer", "requester": "abc", "subject": "س", "body": "م"}, "requester"),
        ({"kind": "internal", "subject": "س", "body": "م"}, "department"),
        ({"kind": "customer", "requester": "CUSTOMER", "subject": "", "body": "م"}, "subject"),
        ({"kind": "customer", "requester": "CUSTOMER", "subject": "س", "body": ""}, "body"),
        ({"kind": "customer", "requester": "AGENT", "subject": "س", "body": "م"}, "requester"),
        ({"kind": "bogus", "requester": "CUSTOMER", "subject": "س", "body": "م"}, "kind"),
    ],
)
def test_bad_input_saves_nothing(staff_client, agent, customer, department, data, field):
    data = dict(data)
    if data.get("requester") == "CUSTOMER":
        data["requester"] = customer.pk
    elif data.get("requester") == "AGENT":
        data["requester"] = agent.pk
    data.setdefault("department", department.pk if field != "department" else "")
    response = staff_client.post(CREATE, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Ticket.objects.exists()


def test_internal_ticket_to_someone_without_a_department_is_refused(staff_client):
    boss = ManagerFactory()
    response = staff_client.post(CREATE, {"kind": "internal", "assignee": boss.pk, "subject": "س", "body": "م"})
    assert response.status_code == 400 and response.context["form"].errors["department"]
    assert not Ticket.objects.exists()


def test_dangerous_attachment_saves_nothing(staff_client, customer, department):
    response = staff_client.post(
        CREATE,
        {
            "kind": "customer",
            "requester": customer.pk,
            "department": department.pk,
            "subject": "س",
            "body": "م",
            "attachments": [html_file()],
        },
    )
    assert response.status_code == 400 and response.context["form"].errors["attachments"]
    assert not Ticket.objects.exists()


# --- finding and creating the customer ----------------------------------------------------------------------


def test_htmx_search_by_name_email_and_mobile(staff_client):
    sara = CustomerFactory(full_name="سارا احمدی", email="sara@example.com", mobile="09351234567")
    CustomerFactory(full_name="بهرام")
    AgentFactory(full_name="سارا کارمند")  # staff are never offered as customers
    url = reverse("tickets:customer_search")
    for query in ["سارا", "SARA@example", "۰۹۳۵۱۲۳", "1234567"]:
        response = staff_client.get(url, {"customer_q": query}, headers={"HX-Request": "true"})
        assert [u.pk for u in response.context["results"]] == [sara.pk], query
        assert f'name="requester" value="{sara.pk}"' in response.content.decode()


def test_search_without_javascript_keeps_what_was_typed(staff_client, department):
    sara = CustomerFactory(full_name="سارا احمدی")
    response = staff_client.post(CREATE, {"find": "1", "customer_q": "سارا", "subject": "موضوع نیمه‌کاره"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{sara.pk}"' in html and "موضوع نیمه‌کاره" in html
    assert not response.context["form"].errors
    assert not Ticket.objects.exists()


def test_create_a_customer_on_the_spot(staff_client, agent, org):
    response = staff_client.post(
        reverse("tickets:customer_create"),
        {"full_name": "رضا نوری", "mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹", "organisation": org.pk},
    )
    customer = User.objects.get(full_name="رضا نوری")
    assert customer.role == Role.CUSTOMER and customer.mobile == "09123456789" and customer.organisation == org
    assert not customer.has_usable_password()
    assert response["Location"] == f"{CREATE}?requester={customer.pk}"
    page = staff_client.get(response["Location"]).content.decode()
    assert f'name="requester" value="{customer.pk}" checked' in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"full_name": "بی‌تماس"}, None),
        ({"full_name": "", "email": "a@example.com"}, "full_name"),
        ({"full_name": "ایمیل بد", "email": "not-an-email"}, "email"),
        ({"full_name": "موبایل بد", "mobile": "12345"}, "mobile"),
    ],
)
def test_customer_bad_input_creates_nobody(staff_client, data, field):
    before = User.objects.count()
    response = staff_client.post(reverse("tickets:customer_create"), data)
    assert response.status_code == 400
    form = response.context["customer_form"]
    assert form.errors[field if field else "__all__"]
    assert User.objects.count() == before


def test_duplicate_email_is_reported_on_the_field(staff_client, customer):
    before = User.objects.count()
    response = staff_client.post(
        reverse("tickets:customer_create"), {"full_name": "تکراری", "email": customer.email.upper()}
    )
    assert response.status_code == 400
    assert response.context["customer_form"].errors["email"]
    assert User.objects.count() == before

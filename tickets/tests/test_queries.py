"""Pinned query counts (#9) of the ticket pages not pinned beside their own tests, and of the key services:
`ticket_create`, `reply_add` and the queue selector. The portal, the queue and the ticket page are pinned in
`test_views_portal.py`, `test_views_queue.py`, `test_views_ticket.py` and `test_views_staff_ticket.py`."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse

from accounts.models import Organisation
from accounts.tests.factories import CustomerFactory, OrganisationFactory
from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, assert_queries, pinned_get
from tickets import selectors, services
from tickets.models import Attachment, CannedResponse, Channel, Department, Priority, Status, Ticket, TicketType
from tickets.sla_models import BusinessHours, Holiday, SLAPolicy

from .factories import CannedResponseFactory, DepartmentFactory, PriorityFactory, TicketFactory, TicketTypeFactory
from .views_support import png, ticket_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


# --- pages ----------------------------------------------------------------------------------------------------


@pytest.mark.pins("tickets:create")
def test_the_new_ticket_form(client, customer, department):
    TicketTypeFactory(default_department=department)
    client.force_login(customer)
    pinned_get(client, reverse("tickets:create"), 5)


@pytest.mark.pins("tickets:staff_create")
def test_the_staff_new_ticket_form(staff_client, department):
    pinned_get(staff_client, reverse("tickets:staff_create"), 7)


@pytest.mark.pins("tickets:customer_search")
def test_the_customer_search_with_1_and_30_matches(staff_client):
    org = OrganisationFactory()
    CustomerFactory(full_name="نگار احمدی", organisation=org)
    url = reverse("tickets:customer_search") + "?customer_q=احمدی"
    response = pinned_get(staff_client, url, 3, HTTP_HX_REQUEST="true")
    assert len(response.context["results"]) == 1
    for i in range(29):
        CustomerFactory(full_name=f"احمدی {i}", organisation=org)
    response = pinned_get(staff_client, url, 3, HTTP_HX_REQUEST="true")
    assert len(response.context["results"]) > 1


@pytest.mark.pins("tickets:attachment")
def test_an_attachment_download(client, customer, make_ticket):
    ticket = make_ticket(attachments=[png()])
    client.force_login(customer)
    response = pinned_get(client, reverse("tickets:attachment", args=[ticket.messages.get().attachments.get().pk]), 3)
    response.close()


@pytest.mark.pins("tickets:presence")
def test_the_presence_poll(staff_client, ticket):
    pinned_get(staff_client, ticket_url("presence", ticket), 3, HTTP_HX_REQUEST="true")


# --- services (each run once first: content types and site settings are cached, as on a running site) ------------


def test_ticket_create_by_a_customer_on_the_portal(make_ticket):
    make_ticket()
    with assert_queries(22):
        make_ticket()


def test_ticket_create_with_an_attachment(make_ticket):
    make_ticket(attachments=[png()])
    with assert_queries(23):
        make_ticket(attachments=[png()])


def _staff_reply(ticket, agent):
    return services.reply_add(ticket=ticket, author=agent, body="لطفاً دوباره روشن کنید.", channel=Channel.STAFF)


def test_reply_add_the_first_staff_response(make_ticket, agent):
    _staff_reply(make_ticket(), agent)
    ticket = make_ticket()
    with assert_queries(19):
        _staff_reply(ticket, agent)


def test_reply_add_by_the_customer_reopens_a_waiting_ticket(ticket, agent, customer):
    services.reply_add(ticket=ticket, author=agent, body="شماره سریال؟", status=Status.WAITING)
    services.reply_add(ticket=ticket, author=customer, body="کدام شماره؟")
    services.reply_add(ticket=ticket, author=agent, body="پشت دستگاه.", status=Status.WAITING)
    with assert_queries(21):  # +1: the status change (waiting → open) is told to the customers who follow the ticket
        services.reply_add(ticket=ticket, author=customer, body="۱۲۳۴۵", attachments=[png()])


@pytest.mark.parametrize("rows", [1, 30])
def test_the_queue_selector_a_page_of_rows(agent, department, rows):
    requester = CustomerFactory(organisation=OrganisationFactory(sharing=Organisation.Sharing.ALL))
    for i in range(rows):
        TicketFactory(department=department, requester=requester, subject=f"چاپگر {i}").tags.add("چاپگر")
    selectors.queue_choices()  # cached until a listed row changes
    with assert_queries(2):
        _filterset, tickets = selectors.ticket_queue(user=agent, params=QueryDict(""))
        page = selectors.queue_rows(tickets[:25])
    assert len(page) == min(rows, 25)
    assert page[0].tags == ["چاپگر"]


# --- the admin ------------------------------------------------------------------------------------------------

ADMIN = {
    Department: AdminPins(changelist=6, add=5, change=8, history=5, delete=12),
    TicketType: AdminPins(changelist=7, add=5, change=6, history=5, delete=8),
    Priority: AdminPins(changelist=6, add=3, change=4, history=5, delete=7),
    CannedResponse: AdminPins(changelist=7, add=5, change=6, history=5, delete=5),
    Ticket: AdminPins(changelist=8, add=Denied(2), change=13, history=5, delete=12),
    Attachment: AdminPins(changelist=6, add=Denied(2), change=5, history=5, delete=4),
    SLAPolicy: AdminPins(changelist=8, add=6, change=7, history=5, delete=4),
    BusinessHours: AdminPins(changelist=6, add=3, change=4, history=5, delete=4),  # 7 rows at most: one a weekday
    Holiday: AdminPins(changelist=6, add=3, change=4, history=5, delete=4),
}


@pytest.fixture
def makers(make_ticket, agent, department, priority):
    def tickets(n, **kwargs):
        return [make_ticket(**kwargs) for _ in range(n)][-1]

    def hours(n):
        first = BusinessHours.objects.count()
        return BusinessHours.objects.bulk_create(BusinessHours(weekday=first + i) for i in range(n))[-1]

    def holidays(n):
        first = Holiday.objects.count()
        return Holiday.objects.bulk_create(
            Holiday(date=dt.date(2025, 3, 21) + dt.timedelta(days=first + i), name="تعطیل") for i in range(n)
        )[-1]

    def policies(n):  # one per priority and department
        return SLAPolicy.objects.bulk_create(
            SLAPolicy(name=f"سطح {p.name}", priority=p, department=department, first_response_minutes=60)
            for p in PriorityFactory.create_batch(n)
        )[-1]

    return {
        Department: lambda n: DepartmentFactory.create_batch(n, members=[agent])[-1],
        TicketType: lambda n: TicketTypeFactory.create_batch(
            n, default_department=department, default_priority=priority
        )[-1],
        Priority: lambda n: PriorityFactory.create_batch(n)[-1],
        CannedResponse: lambda n: CannedResponseFactory.create_batch(n, department=department, owner=agent)[-1],
        Ticket: lambda n: tickets(n, tags=[]),
        Attachment: lambda n: tickets(n, attachments=[png()]).messages.get().attachments.get(),
        SLAPolicy: policies,
        BusinessHours: hours,
        Holiday: holidays,
    }


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, site_admin, makers, model):
    client.force_login(site_admin)
    admin_pins(client, model, ADMIN[model], makers[model], many=7 if model is BusinessHours else 30)


@pytest.mark.pins("admin:tickets_ticket_change")
@pytest.mark.parametrize("replies", [1, 30])
def test_a_ticket_admin_page_with_1_and_30_messages_and_events(client, site_admin, ticket, agent, customer, replies):
    for i in range(replies):
        services.reply_add(ticket=ticket, author=agent if i % 2 else customer, body=f"پیام {i}")
    client.force_login(site_admin)
    pinned_get(client, reverse("admin:tickets_ticket_change", args=[ticket.pk]), 13)


@pytest.mark.pins("admin:tickets_holiday_import")
def test_the_holiday_import_form(client, site_admin):
    client.force_login(site_admin)
    pinned_get(client, reverse("admin:tickets_holiday_import"), 3)

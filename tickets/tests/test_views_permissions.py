"""The permission matrix over every ticket URL and the attachment download: what isn't yours is a 404."""

import pytest
from django.urls import reverse

from accounts.models import Organisation
from tickets import services
from tickets.models import Attachment, Ticket

from .views_support import png, ticket_url

pytestmark = pytest.mark.django_db

# (method, URL name) of every per-ticket URL.
CUSTOMER_URLS = [
    ("get", "detail"),
    ("post", "reply"),
    ("post", "close"),
    ("post", "reopen"),
    ("post", "follow"),
    ("post", "unfollow"),
]
STAFF_URLS = [
    ("post", "note"),
    ("post", "canned"),
    ("post", "update"),
    ("post", "take"),
    ("post", "pin"),
    ("post", "merge"),
    ("get", "presence"),
    ("post", "presence"),
    ("post", "presence_leave"),
]
ALL_URLS = CUSTOMER_URLS + STAFF_URLS

# actor → can see the ticket? (the ticket: filed by `customer` in `department`; org sharing "own" unless noted)
ACTORS = {
    "requester": True,
    "colleague_sharing_own": False,
    "colleague_sharing_all": True,
    "stranger": False,
    "other_agent": False,
    "supervisor": True,
    "manager": True,
}
STAFF_ACTORS = {"other_agent", "supervisor", "manager"}


@pytest.fixture
def actor(request, customer, colleague, stranger, other_agent, supervisor, manager, org):
    name = request.param
    if name == "colleague_sharing_all":
        Organisation.objects.filter(pk=org.pk).update(sharing=Organisation.Sharing.ALL)
    return {
        "requester": customer,
        "colleague_sharing_own": colleague,
        "colleague_sharing_all": colleague,
        "stranger": stranger,
        "other_agent": other_agent,
        "supervisor": supervisor,
        "manager": manager,
    }[name]


def _call(client, method, url):
    return getattr(client, method)(url, {})


@pytest.mark.parametrize("actor", list(ACTORS), indirect=True)
@pytest.mark.parametrize(("method", "name"), ALL_URLS)
def test_ticket_urls(client, actor, ticket, method, name, request):
    actor_name = request.node.callspec.params["actor"]
    client.force_login(actor)
    response = _call(client, method, ticket_url(name, ticket))
    visible = ACTORS[actor_name]
    staff_url = (method, name) in STAFF_URLS
    if not visible or (staff_url and actor_name not in STAFF_ACTORS):
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 204, 302, 400), response.status_code


@pytest.mark.parametrize("actor", list(ACTORS), indirect=True)
def test_attachment_download(client, actor, make_ticket, agent, request):
    ticket = make_ticket(attachments=[png("public.png")])
    services.note_add(ticket=ticket, author=agent, body="یادداشت", attachments=[png("secret.png")])
    public = Attachment.objects.get(original_name="public.png")
    secret = Attachment.objects.get(original_name="secret.png")
    actor_name = request.node.callspec.params["actor"]
    client.force_login(actor)
    visible = ACTORS[actor_name]
    staff = actor_name in STAFF_ACTORS
    assert client.get(reverse("tickets:attachment", args=[public.pk])).status_code == (200 if visible else 404)
    assert client.get(reverse("tickets:attachment", args=[secret.pk])).status_code == (
        200 if visible and staff else 404
    )


def test_anonymous_is_sent_to_log_in_everywhere(client, ticket):
    for method, name in ALL_URLS:
        response = _call(client, method, ticket_url(name, ticket))
        assert response.status_code == 302 and "/accounts/" in response["Location"], name


def test_internal_ticket_is_invisible_to_its_customer(client, customer, agent, department):
    internal = services.ticket_create(
        requester=None,
        department=department,
        subject="داخلی",
        body="بین کارکنان",
        channel="staff",
        created_by=agent,
        is_internal=True,
    )
    client.force_login(customer)
    assert client.get(ticket_url("detail", internal)).status_code == 404


def test_agent_of_the_department_sees_it(client, agent, ticket):
    client.force_login(agent)
    assert client.get(ticket_url("detail", ticket)).status_code == 200


def test_missing_ticket_and_visible_one_give_the_same_404(client, stranger, ticket):
    client.force_login(stranger)
    hidden = client.get(ticket_url("detail", ticket))
    missing = client.get(reverse("tickets:detail", args=["1000000"]))
    assert hidden.status_code == missing.status_code == 404
    assert Ticket.objects.filter(reference="1000000").count() == 0

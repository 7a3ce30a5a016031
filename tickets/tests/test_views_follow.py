"""Group to group (issue #13, "Customers"): a colleague of an organisation that shares its tickets follows and
unfollows a ticket from the portal page (one POST each), and then hears of its public events like the requester,
never of internal notes. Outsiders, and colleagues of an organisation that does not share, get a 404."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from accounts.tests.factories import CustomerFactory
from helpdesk.tests.pins import assert_queries, pinned_get
from notifications.models import Notification
from tickets import services
from tickets.models import Status, TicketEvent

from .views_support import messages_of, ticket_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]


@pytest.fixture
def sharing(org):
    org.sharing = Organisation.Sharing.ALL
    org.save(update_fields=["sharing"])
    return org


def told(user, ticket, kind: str) -> list[Notification]:
    """The panel rows `user` got about `ticket` for events of `kind`."""
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.PANEL, event__ticket=ticket, kind=kind)
    )


def test_a_colleague_follows_from_the_page_and_hears_the_staff_reply(client, sharing, colleague, agent, ticket):
    client.force_login(colleague)
    page = client.get(ticket_url("detail", ticket)).content.decode()
    assert ticket_url("follow", ticket) in page and "دنبال کردن این تیکت" in page
    response = client.post(ticket_url("follow", ticket), follow=True)
    assert response.status_code == 200
    assert ticket.followers.filter(pk=colleague.pk).exists()
    assert "اکنون این تیکت را دنبال می‌کنید." in messages_of(response)
    assert ticket_url("unfollow", ticket) in response.content.decode()  # the toggle now offers the way back

    services.reply_add(ticket=ticket, author=agent, body="پاسخ کارشناس به همه")
    [row] = told(colleague, ticket, "replied")
    assert row.subject.startswith("پاسخ تازه به تیکتی که دنبال می‌کنید")
    assert ticket.subject in row.body
    [requester_row] = told(ticket.requester, ticket, "replied")
    assert requester_row.subject.startswith("پاسخ تازه به درخواست شما")


def test_a_follower_hears_status_changes_but_gets_no_rating_link(client, sharing, colleague, agent, ticket):
    services.follower_add(ticket=ticket, user=colleague, actor=colleague)
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    [row] = told(colleague, ticket, "status")
    assert "دنبال می‌کنید" in row.body and "حل‌شده" in row.body
    assert "/rate/" not in row.link and "/rate/" not in row.body  # the rating is the requester's
    assert told(ticket.requester, ticket, "status")


def test_the_requester_hears_a_following_colleagues_reply(client, sharing, colleague, customer, agent, ticket):
    services.follower_add(ticket=ticket, user=colleague, actor=colleague)
    client.force_login(colleague)
    assert client.post(ticket_url("reply", ticket), {"body": "من هم همین مشکل را دارم"}).status_code == 302
    [row] = told(customer, ticket, "replied")
    assert row.subject.startswith("پاسخ تازه به درخواست شما")
    assert not told(colleague, ticket, "replied")  # nobody is told of their own reply
    assert told(agent, ticket, "replied")  # the department, as for every customer reply


def test_an_internal_note_is_not_told_to_a_customer_follower(sharing, colleague, agent, teammate, ticket):
    services.follower_add(ticket=ticket, user=colleague, actor=colleague)
    services.follower_add(ticket=ticket, user=teammate, actor=teammate)
    services.note_add(ticket=ticket, author=agent, body="یادداشت داخلی")
    assert not told(colleague, ticket, "noted")
    assert told(teammate, ticket, "noted")  # staff followers still hear of it: the rule was applied, not skipped


def test_unfollow_stops_the_notifications(client, sharing, colleague, agent, ticket):
    services.follower_add(ticket=ticket, user=colleague, actor=colleague)
    client.force_login(colleague)
    response = client.post(ticket_url("unfollow", ticket), follow=True)
    assert "دیگر این تیکت را دنبال نمی‌کنید." in messages_of(response)
    assert not ticket.followers.filter(pk=colleague.pk).exists()
    services.reply_add(ticket=ticket, author=agent, body="پاسخ بعدی")
    services.ticket_change_status(ticket=ticket, status=Status.WAITING, actor=agent)
    assert not Notification.objects.filter(recipient=colleague, event__ticket=ticket).exclude(kind="followed").exists()


def test_an_outsider_gets_a_404_and_nothing_changes(client, sharing, stranger, ticket):
    client.force_login(stranger)
    for name in ("detail", "follow", "unfollow"):
        response = client.get(ticket_url(name, ticket)) if name == "detail" else client.post(ticket_url(name, ticket))
        assert response.status_code == 404, name
    assert not ticket.followers.exists()
    assert not TicketEvent.objects.filter(ticket=ticket, kind="followed").exists()


def test_a_colleague_of_an_organisation_that_does_not_share_gets_a_404(client, org, colleague, ticket):
    assert org.sharing == Organisation.Sharing.OWN
    client.force_login(colleague)
    assert client.get(ticket_url("detail", ticket)).status_code == 404
    assert client.post(ticket_url("follow", ticket)).status_code == 404
    assert not ticket.followers.exists()


def test_a_customer_without_an_organisation_gets_a_404(client, sharing, ticket):
    loner = CustomerFactory(organisation=None)
    client.force_login(loner)
    assert client.post(ticket_url("follow", ticket)).status_code == 404
    assert not ticket.followers.exists()


def test_the_requester_is_not_offered_the_toggle(client, customer, ticket):
    client.force_login(customer)
    page = client.get(ticket_url("detail", ticket)).content.decode()
    assert ticket_url("follow", ticket) not in page and ticket_url("unfollow", ticket) not in page


def test_a_closed_ticket_can_be_unfollowed_but_not_followed(client, sharing, colleague, customer, ticket):
    services.ticket_close(ticket=ticket, actor=customer)
    client.force_login(colleague)
    assert ticket_url("follow", ticket) not in client.get(ticket_url("detail", ticket)).content.decode()
    services.follower_add(ticket=ticket, user=colleague, actor=colleague)
    assert ticket_url("unfollow", ticket) in client.get(ticket_url("detail", ticket)).content.decode()


def test_get_on_the_toggle_is_refused(client, sharing, colleague, ticket):
    client.force_login(colleague)
    assert client.get(ticket_url("follow", ticket)).status_code == 405
    assert not ticket.followers.exists()


def test_the_toggle_needs_the_csrf_token(sharing, colleague, ticket):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(colleague)
    assert client.post(ticket_url("follow", ticket)).status_code == 403
    assert not ticket.followers.exists()


@pytest.mark.pins("tickets:detail")
def test_the_colleagues_page_query_count(client, sharing, colleague, ticket):
    client.force_login(colleague)
    pinned_get(client, ticket_url("detail", ticket), 7)
    services.follower_add(ticket=ticket, user=colleague, actor=colleague)
    response = pinned_get(client, ticket_url("detail", ticket), 7)
    assert response.context["follow"] == {"offered": True, "following": True}


@pytest.mark.pins("tickets:follow", "tickets:unfollow")
def test_the_toggle_query_counts(client, sharing, colleague, ticket):
    client.force_login(colleague)
    client.get(ticket_url("detail", ticket))  # caches warm
    with assert_queries(10):
        assert client.post(ticket_url("follow", ticket)).status_code == 302
    with assert_queries(10):
        assert client.post(ticket_url("unfollow", ticket)).status_code == 302
    assert not ticket.followers.exists()

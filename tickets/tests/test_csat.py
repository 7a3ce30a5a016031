"""Customer satisfaction (CSAT): the rating link in the "resolved" notification (email, SMS, panel), the signed
token that works without logging in for seven days, forged, reused and expired tokens, the department switch,
and the rating on the staff page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from helpdesk.tests.pins import pinned_get
from notifications.models import Notification
from tickets import csat, services
from tickets.models import SatisfactionRating, Status, TicketEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

C = Notification.Channel
RESOLVED = dt.datetime(2025, 5, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def resolved(ticket, agent):
    with time_machine.travel(RESOLVED, tick=False):
        services.reply_add(ticket=ticket, author=agent, body="حل شد.", status=Status.RESOLVED)
    ticket.refresh_from_db()
    return ticket


def rows_for(user, ticket):
    return {n.channel: n for n in Notification.objects.filter(recipient=user, event__ticket=ticket, kind="replied")}


def test_the_resolved_notification_carries_the_rating_link_on_every_channel(resolved, customer):
    path = csat.rating_path(resolved)
    assert path.startswith("/tickets/rate/")
    rows = rows_for(customer, resolved)
    assert set(rows) == {C.EMAIL, C.SMS, C.PANEL}
    assert "https://helpdesk.example.com" + path in rows[C.EMAIL].body
    assert "https://helpdesk.example.com" + path in rows[C.SMS].body
    assert rows[C.PANEL].link == path
    assert "از ۱ تا ۵" in rows[C.PANEL].body


def test_a_status_change_to_resolved_asks_too_but_an_ordinary_reply_does_not(ticket, agent, customer):
    services.reply_add(ticket=ticket, author=agent, body="در حال بررسی")
    assert "/tickets/rate/" not in rows_for(customer, ticket)[C.PANEL].link
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    row = Notification.objects.get(recipient=customer, kind="status", channel=C.PANEL)
    ticket.refresh_from_db()
    assert row.link == csat.rating_path(ticket)


def test_a_department_that_does_not_ask_sends_no_link(ticket, agent, customer, department, client):
    department.csat_enabled = False
    department.save()
    services.reply_add(ticket=ticket, author=agent, body="حل شد.", status=Status.RESOLVED)
    ticket.refresh_from_db()
    assert csat.rating_path(ticket) == ""
    assert "/tickets/rate/" not in rows_for(customer, ticket)[C.PANEL].link
    token = csat.rating_token(ticket)  # a link made before the switch changes nothing either
    response = client.post(reverse("tickets:rate", args=[token]), {"score": "5"})
    assert response.status_code == 410 and not SatisfactionRating.objects.exists()


def test_ratings_turned_off_in_the_admin_form_send_no_link_and_the_page_refuses(
    ticket, agent, customer, department, client
):
    client.force_login(AdminFactory())
    change = reverse("admin:tickets_department_change", args=[department.pk])
    assert client.get(change).context["adminform"].form.initial["csat_enabled"] is True
    data = {
        "name": department.name,
        "description": department.description,
        "is_public": "on",
        "is_active": "on",
        "members": [user.pk for user in department.members.all()],
        "supervisors": [user.pk for user in department.supervisors.all()],
        "inbound_email": department.inbound_email,
    }  # the box "ask for satisfaction ratings" unticked: not in the POST
    assert client.post(change, data).status_code == 302
    department.refresh_from_db()
    assert not department.csat_enabled and list(department.members.all()) == [agent]
    client.logout()

    services.reply_add(ticket=ticket, author=agent, body="حل شد.", status=Status.RESOLVED)
    ticket.refresh_from_db()
    rows = rows_for(customer, ticket)
    assert set(rows) == {C.EMAIL, C.SMS, C.PANEL}
    assert not any("/tickets/rate/" in row.body or "/tickets/rate/" in row.link for row in rows.values())
    url = reverse("tickets:rate", args=[csat.rating_token(ticket)])  # a link made anyway opens nothing
    assert client.get(url).status_code == 410
    assert client.post(url, {"score": "5"}).status_code == 410
    assert not SatisfactionRating.objects.exists()


def test_the_link_works_without_logging_in_and_can_be_changed_for_seven_days(resolved, client):
    url = reverse("tickets:rate", args=[csat.rating_token(resolved)])
    with time_machine.travel(RESOLVED + dt.timedelta(hours=1), tick=False):
        page = client.get(url + "?score=4")
        assert page.status_code == 200 and 'value="4" checked' in page.content.decode()
        response = client.post(url, {"score": "۴", "comment": "  خوب بود  "})  # Persian digits are fine
    assert response.status_code == 200 and "ذخیره شد" in response.content.decode()
    rating = SatisfactionRating.objects.get(ticket=resolved)
    assert (rating.score, rating.comment, rating.resolved_at) == (4, "خوب بود", resolved.resolved_at)

    with time_machine.travel(RESOLVED + dt.timedelta(days=6, hours=23), tick=False):
        assert client.post(url, {"score": "2", "comment": ""}).status_code == 200
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (2, "")
    assert TicketEvent.objects.filter(ticket=resolved, kind="rated").count() == 2

    with time_machine.travel(RESOLVED + dt.timedelta(days=7, minutes=1), tick=False):
        late = client.post(url, {"score": "5"})
        assert client.get(url).status_code == 410
    assert late.status_code == 410 and "دیگر معتبر نیست" in late.content.decode()
    rating.refresh_from_db()
    assert rating.score == 2 and TicketEvent.objects.filter(ticket=resolved, kind="rated").count() == 2


def test_a_forged_token_is_a_404_and_changes_nothing(resolved, client):
    token = csat.rating_token(resolved)
    forged = [token[:-2] + ("aa" if not token.endswith("aa") else "bb"), "nonsense", token.replace(":", "")]
    other = csat.signing.Signer(salt="another.salt").sign_object([resolved.pk, int(resolved.resolved_at.timestamp())])
    for bad in [*forged, other]:
        assert client.post(reverse("tickets:rate", args=[bad]), {"score": "1"}).status_code == 404
    assert not SatisfactionRating.objects.exists()


def test_a_token_of_an_earlier_resolution_is_dead_after_a_reopen(resolved, client, customer, agent):
    old = reverse("tickets:rate", args=[csat.rating_token(resolved)])
    with time_machine.travel(RESOLVED + dt.timedelta(hours=1), tick=False):
        assert client.post(old, {"score": "3"}).status_code == 200
        services.ticket_reopen(ticket=resolved, actor=customer)
        assert client.post(old, {"score": "1"}).status_code == 410  # reopened: nothing to rate
    with time_machine.travel(RESOLVED + dt.timedelta(days=1), tick=False):
        services.ticket_change_status(ticket=resolved, status=Status.RESOLVED, actor=agent)
        assert client.post(old, {"score": "1"}).status_code == 410  # the old link stays dead
    resolved.refresh_from_db()
    assert SatisfactionRating.objects.get(ticket=resolved).score == 3
    new = reverse("tickets:rate", args=[csat.rating_token(resolved)])
    with time_machine.travel(RESOLVED + dt.timedelta(days=2), tick=False):
        assert client.post(new, {"score": "5"}).status_code == 200
    assert SatisfactionRating.objects.get(ticket=resolved).score == 5


@pytest.mark.parametrize(
    "data", [{}, {"score": "6"}, {"score": "x"}, {"score": "0"}, {"score": "3", "comment": "ب" * 2001}]
)
def test_bad_input_is_a_clear_message_and_saves_nothing(resolved, client, data):
    url = reverse("tickets:rate", args=[csat.rating_token(resolved)])
    with time_machine.travel(RESOLVED + dt.timedelta(hours=1), tick=False):
        response = client.post(url, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "از ۱ تا ۵" in text or "۲۰۰۰" in text or "2000" in text  # Django says «at most 2000 characters»
    assert not SatisfactionRating.objects.exists()


def test_an_internal_ticket_has_no_rating_link(make_ticket, agent, client):
    internal = make_ticket(requester=None, created_by=agent, is_internal=True)
    services.ticket_change_status(ticket=internal, status=Status.RESOLVED, actor=agent)
    internal.refresh_from_db()
    assert csat.rating_path(internal) == ""
    token = csat.signing.Signer(salt=csat.SALT).sign_object([internal.pk, int(internal.resolved_at.timestamp())])
    assert client.get(reverse("tickets:rate", args=[token])).status_code == 404


def test_staff_see_the_rating_on_the_ticket_page(resolved, client, agent):
    with time_machine.travel(RESOLVED + dt.timedelta(hours=1), tick=False):
        services.rating_submit(token=csat.rating_token(resolved), score=4, comment="سریع و دقیق")
    client.force_login(agent)
    text = client.get(reverse("tickets:detail", args=[resolved.reference])).content.decode()
    assert 'id="satisfaction"' in text and "۴ از ۵" in text and "سریع و دقیق" in text


@pytest.mark.pins("tickets:rate")
def test_the_rating_page_query_count(resolved, client):
    with time_machine.travel(RESOLVED + dt.timedelta(hours=1), tick=False):
        # the ticket with its department and the rating (no session: the link works without logging in)
        pinned_get(client, reverse("tickets:rate", args=[csat.rating_token(resolved)]), 2)

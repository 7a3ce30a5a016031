"""The customer's ticket page: the public thread, replies with files, close and reopen."""

import pytest

from helpdesk.tests.pins import pinned_get
from tickets import services
from tickets.models import Message, Status

from .views_support import html_file, png, ticket_url

pytestmark = pytest.mark.django_db


def test_shows_the_public_thread_without_notes_or_staff_events(client, customer, agent, ticket):
    services.reply_add(ticket=ticket, author=agent, body="پاسخ عمومی کارشناس")
    services.note_add(ticket=ticket, author=agent, body="یادداشت محرمانه")
    services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
    client.force_login(customer)
    response = client.get(ticket_url("detail", ticket))
    html = response.content.decode()
    assert response.status_code == 200
    assert "پاسخ عمومی کارشناس" in html and ticket.subject in html
    assert "یادداشت محرمانه" not in html
    assert "tk-note" not in html
    kinds = {e.kind for e in response.context["page"].events}
    assert kinds == {"created", "replied", "status"}  # not "noted" or "assigned"


def test_another_customers_ticket_is_a_404_like_a_missing_one(client, stranger, ticket):
    client.force_login(stranger)
    assert client.get(ticket_url("detail", ticket)).status_code == 404
    assert client.get("/tickets/9999999/").status_code == 404


def test_reply_with_attachment(client, customer, ticket):
    client.force_login(customer)
    response = client.post(ticket_url("reply", ticket), {"body": "این هم تصویر خطا", "attachments": [png("err.png")]})
    assert response.status_code == 302
    assert response["Location"].endswith(ticket_url("detail", ticket) + "#thread-end")
    message = ticket.messages.latest("pk")
    assert message.body == "این هم تصویر خطا" and message.author == customer and not message.is_internal
    assert [a.original_name for a in message.attachments.all()] == ["err.png"]


def test_customer_reply_reopens_a_resolved_ticket(client, customer, agent, ticket):
    services.reply_add(ticket=ticket, author=agent, body="حل شد", status=Status.RESOLVED)
    client.force_login(customer)
    client.post(ticket_url("reply", ticket), {"body": "هنوز مشکل دارم"})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


@pytest.mark.parametrize("body", ["", "   "])
def test_empty_reply_is_refused_and_nothing_saved(client, customer, ticket, body):
    client.force_login(customer)
    before = Message.objects.count()
    response = client.post(ticket_url("reply", ticket), {"body": body})
    assert response.status_code == 400
    assert response.context["reply_form"].errors["body"]
    assert Message.objects.count() == before


def test_bad_file_keeps_the_draft_and_saves_nothing(client, customer, ticket):
    client.force_login(customer)
    before = Message.objects.count()
    response = client.post(ticket_url("reply", ticket), {"body": "پیش‌نویس من", "attachments": [html_file()]})
    assert response.status_code == 400
    assert "پیش‌نویس من" in response.content.decode()
    assert response.context["reply_form"].errors["attachments"]
    assert Message.objects.count() == before


def test_closed_ticket_takes_no_reply(client, customer, ticket):
    services.ticket_close(ticket=ticket, actor=customer)
    client.force_login(customer)
    page = client.get(ticket_url("detail", ticket))
    assert 'id="reply-form"' not in page.content.decode()
    before = Message.objects.count()
    response = client.post(ticket_url("reply", ticket), {"body": "باز هم"})
    assert response.status_code == 400
    assert response.context["reply_form"].non_field_errors()
    assert Message.objects.count() == before


def test_customer_closes_their_ticket(client, customer, ticket):
    client.force_login(customer)
    response = client.post(ticket_url("close", ticket))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_customer_reopens_a_resolved_ticket(client, customer, agent, ticket):
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    client.force_login(customer)
    assert ticket_url("reopen", ticket) in client.get(ticket_url("detail", ticket)).content.decode()
    client.post(ticket_url("reopen", ticket))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_reopen_of_an_open_ticket_says_why_and_changes_nothing(client, customer, ticket):
    client.force_login(customer)
    response = client.post(ticket_url("reopen", ticket), follow=True)
    assert "حل‌شده" in " ".join(str(m) for m in response.context["messages"])
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_get_on_an_action_is_refused(client, customer, ticket):
    client.force_login(customer)
    assert client.get(ticket_url("close", ticket)).status_code == 405


@pytest.mark.pins("tickets:detail")
def test_query_count_does_not_grow_with_messages_and_files(client, customer, agent, ticket):
    client.force_login(customer)
    url = ticket_url("detail", ticket)
    pinned_get(client, url, 7)
    for i in range(15):
        services.reply_add(ticket=ticket, author=agent, body=f"پاسخ {i}", attachments=[png(f"{i}.png")])
        services.reply_add(ticket=ticket, author=customer, body=f"پرسش {i}")
        services.note_add(ticket=ticket, author=agent, body=f"یادداشت {i}")
    response = pinned_get(client, url, 7)
    assert len(response.context["page"].messages) == 31

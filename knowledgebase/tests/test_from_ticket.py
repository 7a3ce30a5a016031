"""Agents turn a resolved ticket's answer into a draft article (service + view)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from knowledgebase import services
from knowledgebase.models import Article, Visibility
from tickets import services as ticket_services
from tickets.models import Channel, Status
from tickets.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

ANSWER = "برای بازیابی رمز، روی «فراموشی رمز» بزنید و کد پیامک‌شده را وارد کنید."


@pytest.fixture
def department(agent):
    return DepartmentFactory(members=[agent])


@pytest.fixture
def resolved_ticket(customer, agent, department):
    ticket = ticket_services.ticket_create(
        requester=customer,
        department=department,
        subject="رمزم را فراموش کرده‌ام",
        body="نمی‌توانم وارد شوم.",
        channel=Channel.WEB,
        created_by=customer,
    )
    ticket_services.ticket_set_tags(ticket=ticket, tags=["رمز"], actor=agent)
    ticket_services.note_add(ticket=ticket, author=agent, body="یادداشت داخلی: مشتری قدیمی است.")
    message = ticket_services.reply_add(ticket=ticket, author=agent, body=ANSWER, status=Status.RESOLVED)
    return message.ticket


def url(ticket):
    return reverse("knowledgebase:draft_from_ticket", kwargs={"ticket_pk": ticket.pk})


def test_service_makes_a_draft_from_the_latest_staff_reply(resolved_ticket, agent, customer):
    article = services.article_draft_from_ticket(ticket=resolved_ticket, actor=agent)
    assert (article.title, article.body, article.status) == ("رمزم را فراموش کرده‌ام", ANSWER, Article.Status.DRAFT)
    assert article.author == agent and list(article.tags.names()) == ["رمز"]
    assert article.revisions.get().editor == agent
    assert article.visibility == Visibility.PUBLIC  # readable by customers only once someone publishes it


def test_service_refuses_open_tickets_notes_and_non_staff(resolved_ticket, agent, customer):
    note = resolved_ticket.messages.get(is_internal=True)
    with pytest.raises(ValidationError) as exc:
        services.article_draft_from_ticket(ticket=resolved_ticket, message=note, actor=agent)
    assert exc.value.code == "wrong_message"
    with pytest.raises(ValidationError) as exc:
        services.article_draft_from_ticket(ticket=resolved_ticket, actor=customer)
    assert exc.value.code == "not_staff"
    ticket = ticket_services.ticket_reopen(ticket=resolved_ticket, actor=agent)
    with pytest.raises(ValidationError) as exc:
        services.article_draft_from_ticket(ticket=ticket, actor=agent)
    assert exc.value.code == "not_resolved"
    assert not Article.objects.exists()


def test_view_creates_the_draft_for_an_agent_who_sees_the_ticket(client, resolved_ticket, agent, customer):
    client.force_login(agent)
    reply = resolved_ticket.messages.get(body=ANSWER)
    response = client.post(url(resolved_ticket), {"message": reply.pk})
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()  # no admin permission: the staff-only draft page
    assert client.get(response["Location"]).status_code == 200
    client.force_login(customer)
    assert client.get(article.get_absolute_url()).status_code == 404  # a draft: staff only until published


def test_view_sends_admins_to_the_change_form(client, resolved_ticket, admin_user):
    client.force_login(admin_user)
    response = client.post(url(resolved_ticket))
    article = Article.objects.get()
    assert response["Location"] == reverse("admin:knowledgebase_article_change", args=[article.pk])


@pytest.mark.parametrize("who", ["anon", "customer", "outsider"])
def test_view_is_404_for_who_may_not_use_it(request, client, resolved_ticket, who):
    if who == "outsider":
        outsider = AgentFactory()
        DepartmentFactory(members=[outsider])
        client.force_login(outsider)  # staff, but the ticket is not in their departments
    elif who == "customer":
        client.force_login(request.getfixturevalue("customer"))
    assert client.post(url(resolved_ticket)).status_code == 404
    assert not Article.objects.exists()


def test_view_bad_input(client, resolved_ticket, agent):
    client.force_login(agent)
    assert client.get(url(resolved_ticket)).status_code == 405
    assert client.post(url(resolved_ticket), {"message": "abc"}).status_code == 404
    assert client.post(url(resolved_ticket), {"message": "999999"}).status_code == 404
    note = resolved_ticket.messages.get(is_internal=True)
    response = client.post(url(resolved_ticket), {"message": note.pk}, follow=True)
    assert response.redirect_chain[0][0] == reverse("tickets:detail", kwargs={"reference": resolved_ticket.reference})
    assert "یادداشت داخلی به مقاله تبدیل نمی‌شود" in response.content.decode()
    assert not Article.objects.exists()

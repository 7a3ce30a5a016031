"""The knowledge base's panels on the ticket pages (registered through `tickets.hooks`) and the self-service outcome."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from knowledgebase.models import SuggestionSession
from tickets import hooks
from tickets import services as ticket_services
from tickets.models import Channel, Status, Ticket
from tickets.tests.factories import DepartmentFactory
from tickets.tests.views_support import count_queries

pytestmark = pytest.mark.django_db

CREATE = reverse("tickets:create")


@pytest.fixture
def department(agent):
    return DepartmentFactory(members=[agent])


@pytest.fixture
def ticket(customer, department):
    return ticket_services.ticket_create(
        requester=customer,
        department=department,
        subject="رمزم را فراموش کرده‌ام",
        body="نمی‌توانم وارد شوم.",
        channel=Channel.WEB,
        created_by=customer,
    )


def detail(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.reference])


def draft(ticket) -> str:
    return reverse("knowledgebase:draft_from_ticket", args=[ticket.pk])


def file_ticket(client, department):
    return client.post(CREATE, {"department": department.pk, "subject": "رمز عبور", "body": "وارد نمی‌شوم."})


# ---------------------------------------------------------------------------------------------- filing a ticket


def test_the_new_ticket_form_asks_for_suggestions_while_the_subject_is_typed(client, customer, department):
    client.force_login(customer)
    soup = BeautifulSoup(client.get(CREATE).content, "html.parser")
    box = soup.select_one("#kb-suggestions")
    assert box["hx-get"] == reverse("knowledgebase:suggest")
    assert box["hx-trigger"] == "keyup changed delay:400ms from:#id_subject"
    assert box["hx-include"] == "#id_subject"  # sent as ?subject=…, which the suggest view reads
    assert soup.select_one("#id_subject")["name"] == "subject"
    assert soup.select_one(f'a[href="{reverse("knowledgebase:home")}"]')  # the no-JavaScript link
    assert box.find_parent("form")["id"] == "ticket-create-form"


def test_a_ticket_filed_after_opening_a_suggestion_counts_as_filed_anyway(client, customer, department, make_article):
    article = make_article("فراموشی رمز عبور")
    client.force_login(customer)
    client.get(reverse("knowledgebase:suggestion_open", kwargs={"pk": article.pk}))
    response = file_ticket(client, department)
    assert response.status_code == 302 and response["Location"] == detail(Ticket.objects.get())
    session = SuggestionSession.objects.get()
    assert session.session_key == client.session.session_key and session.ticket_filed_at is not None


def test_a_ticket_filed_without_opening_a_suggestion_is_not_counted(client, customer, department):
    client.force_login(customer)
    assert file_ticket(client, department).status_code == 302
    assert Ticket.objects.count() == 1 and not SuggestionSession.objects.exists()


# ---------------------------------------------------------------------------------------------- the staff page


def test_agents_get_the_picker_and_draft_buttons_once_the_ticket_is_resolved(client, agent, customer, ticket):
    client.force_login(agent)
    html = client.get(detail(ticket)).content.decode()
    assert reverse("knowledgebase:picker") in html  # insert an article link into the reply
    assert 'data-kb-picker-target="#id_body"' in html and "js/knowledgebase.js" in html
    assert draft(ticket) not in html  # not resolved yet

    ticket_services.note_add(ticket=ticket, author=agent, body="یادداشت داخلی")
    answer = ticket_services.reply_add(ticket=ticket, author=agent, body="راه‌حل", status=Status.RESOLVED)
    soup = BeautifulSoup(client.get(detail(ticket)).content, "html.parser")
    forms = soup.select(f'form[action="{draft(ticket)}"]')
    assert len(forms) == 2  # the side column's (latest answer) and the one under the agent's public reply
    assert [f.select_one('input[name="message"]') for f in forms].count(None) == 1
    per_message = [f for f in forms if f.select_one('input[name="message"]')]
    assert per_message[0].select_one('input[name="message"]')["value"] == str(answer.pk)
    assert per_message[0].find_parent("article")["id"] == f"message-{answer.pk}"


def test_customers_see_none_of_the_agents_tools(client, agent, customer, ticket):
    ticket_services.reply_add(ticket=ticket, author=agent, body="راه‌حل", status=Status.RESOLVED)
    client.force_login(customer)
    html = client.get(detail(ticket)).content.decode()
    assert "راه‌حل" in html
    assert draft(ticket) not in html and reverse("knowledgebase:picker") not in html


def test_the_panels_add_no_query_to_the_ticket_pages(client, agent, customer, ticket, monkeypatch):
    ticket_services.reply_add(ticket=ticket, author=agent, body="راه‌حل", status=Status.RESOLVED)
    client.force_login(agent)
    client.get(detail(ticket))  # warm the caches (site settings)
    with_panels = count_queries(lambda: client.get(detail(ticket)))
    client.force_login(customer)
    client.get(CREATE)
    form_with_panels = count_queries(lambda: client.get(CREATE))

    # Without the knowledge base's panels (another app's, e.g. inbound's held emails, may query: they stay).
    monkeypatch.setattr(hooks, "panels", [p for p in hooks.panels if not p.template.startswith("knowledgebase/")])
    assert 'id="kb-suggestions"' not in client.get(CREATE).content.decode()
    assert count_queries(lambda: client.get(CREATE)) == form_with_panels
    client.force_login(agent)
    assert draft(ticket) not in client.get(detail(ticket)).content.decode()
    assert count_queries(lambda: client.get(detail(ticket))) == with_panels

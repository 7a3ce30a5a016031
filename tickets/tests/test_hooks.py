"""The extension points of `tickets.hooks` for the apps above tickets: page panels and the portal's filed hook.

The ticket pages render whatever is registered, so they must work with nothing registered at all: the knowledge base
(which registers every panel today) is taken out of INSTALLED_APPS and out of the URLs here.
"""

import logging

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

import helpdesk.urls
from tickets import hooks, services
from tickets.models import Status, Ticket

from .views_support import messages_of, ticket_url

pytestmark = pytest.mark.django_db

CREATE = "/tickets/new/"

# The root URLs without the knowledge base's (this module is the ROOT_URLCONF of `without_knowledge_base`).
urlpatterns = [p for p in helpdesk.urls.urlpatterns if getattr(p, "namespace", None) != "knowledgebase"]


@pytest.fixture
def empty_registries(monkeypatch):
    monkeypatch.setattr(hooks, "panels", [])
    monkeypatch.setattr(hooks, "on_portal_ticket_filed", [])


@pytest.fixture
def without_knowledge_base(empty_registries):
    installed = [app for app in settings.INSTALLED_APPS if app != "knowledgebase"]
    with override_settings(INSTALLED_APPS=installed, ROOT_URLCONF=__name__):
        yield


def _file(client, department, subject="چاپگر کار نمی‌کند"):
    return client.post(CREATE, {"department": department.pk, "subject": subject, "body": "از دیروز چیزی چاپ نمی‌شود."})


def test_ticket_pages_work_without_the_knowledge_base(without_knowledge_base, client, customer, agent, department):
    assert not apps.is_installed("knowledgebase")
    with pytest.raises(NoReverseMatch):
        reverse("knowledgebase:suggest")
    client.force_login(customer)
    form_page = client.get(CREATE)
    assert form_page.status_code == 200
    assert 'id="kb-suggestions"' not in form_page.content.decode()

    response = _file(client, department)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == ticket_url("detail", ticket)
    services.reply_add(ticket=ticket, author=agent, body="راه‌حل", status=Status.RESOLVED)  # would offer a draft
    customer_page = client.get(ticket_url("detail", ticket))
    assert customer_page.status_code == 200 and "راه‌حل" in customer_page.content.decode()

    client.force_login(agent)
    staff_page = client.get(ticket_url("detail", ticket))
    html = staff_page.content.decode()
    assert staff_page.status_code == 200 and 'id="reply-form"' in html
    assert "/kb/" not in html and "kb-picker" not in html and "knowledgebase.js" not in html


def test_a_failing_portal_hook_costs_the_customer_nothing(
    transactional_db, empty_registries, client, customer, department, caplog
):
    """As in production, the request is not atomic (`ATOMIC_REQUESTS` off): the ticket is committed before the hooks
    run, and each hook's savepoint is its own transaction, so even a database error in one is contained."""
    seen = []

    def broken(request, ticket):
        with connection.cursor() as cursor:  # a database error: only this hook's savepoint is rolled back
            cursor.execute("SELECT * FROM no_such_table")

    hooks.register_portal_ticket_filed(broken)
    hooks.register_portal_ticket_filed(lambda request, ticket: seen.append((request.user, ticket.subject)))
    client.force_login(customer)
    with caplog.at_level(logging.ERROR, logger="tickets.hooks"):
        response = _file(client, department)
    ticket = Ticket.objects.get()  # on PostgreSQL, a broken transaction would refuse this query
    assert response.status_code == 302 and response["Location"] == ticket_url("detail", ticket)
    assert seen == [(customer, "چاپگر کار نمی‌کند")]  # the next hook still ran, with the request and the ticket
    assert any("filed in the portal failed" in r.getMessage() and r.exc_info for r in caplog.records)
    assert "ثبت شد" in " ".join(messages_of(client.get(response["Location"])))


def test_portal_hooks_run_only_for_a_filed_ticket(empty_registries, client, customer, department):
    calls = []
    hooks.register_portal_ticket_filed(lambda request, ticket: calls.append(ticket.pk))
    client.force_login(customer)
    refused = client.post(CREATE, {"department": department.pk, "subject": "", "body": "متن"})
    assert refused.status_code == 400 and calls == []
    _file(client, department)
    assert calls == [Ticket.objects.get().pk]


def test_panels_are_shown_per_slot_in_registration_order(empty_registries, rf, ticket):
    request = rf.get("/")
    asked = []

    def side(req, tkt):
        asked.append(("side", req, tkt))
        return {"n": 1}

    def portal(req, tkt):
        asked.append(("portal", req, tkt))
        return {}

    hooks.register_panel(hooks.STAFF_SIDE, "a.html", side)
    hooks.register_panel(hooks.STAFF_SIDE, "b.html", lambda req, tkt: {"n": 2})
    hooks.register_panel(hooks.STAFF_SIDE, "a.html", side)  # twice: still one panel
    hooks.register_panel(hooks.STAFF_REPLY, "hidden.html", lambda req, tkt: None)  # None: left out
    hooks.register_panel(hooks.PORTAL_CREATE, "portal.html", portal)

    shown = hooks.panels_for(request, hooks.STAFF_SIDE, hooks.STAFF_REPLY, hooks.STAFF_MESSAGE, ticket=ticket)
    assert shown == {
        hooks.STAFF_SIDE: [hooks.ShownPanel("a.html", {"n": 1}), hooks.ShownPanel("b.html", {"n": 2})],
        hooks.STAFF_REPLY: [],
        hooks.STAFF_MESSAGE: [],
    }
    assert asked == [("side", request, ticket)]  # a slot the page doesn't ask for builds nothing
    portal_page = hooks.panels_for(request, hooks.PORTAL_CREATE)
    assert portal_page == {hooks.PORTAL_CREATE: [hooks.ShownPanel("portal.html", {})]}
    assert asked[-1] == ("portal", request, None)


def test_an_unknown_slot_is_refused(empty_registries):
    with pytest.raises(ValueError, match="unknown ticket page slot 'sidebar'"):
        hooks.register_panel("sidebar", "a.html", lambda request, ticket: {})
    assert hooks.panels == []

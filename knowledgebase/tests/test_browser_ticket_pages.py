"""The knowledge base's panels on the ticket pages, in headless Chromium: what htmx and the picker script do.

Fails on a console error, a CSP violation or a failed request (the `Watch` of the tickets browser test).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tickets import services as ticket_services
from tickets.models import Channel
from tickets.tests.factories import DepartmentFactory
from tickets.tests.test_browser_tickets import Watch, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_suggestions_while_filing_and_the_picker_while_answering(
    browser_page, chromium_browser, live_server, customer, agent, make_article
):
    article = make_article("فراموشی رمز عبور", summary="بازیابی رمز با پیامک")
    department = DepartmentFactory(name="پشتیبانی", members=[agent])

    page = browser_page
    watch = Watch(page, live_server.url)
    log_in(page, live_server, customer)
    page.goto(live_server.url + reverse("tickets:create"), wait_until="networkidle")
    page.fill("#id_subject", "رمز عبورم را فراموش کرده‌ام")
    with page.expect_response(lambda r: reverse("knowledgebase:suggest") in r.url):
        page.locator("#id_subject").press("End")  # a keyup in the subject asks the knowledge base
    suggestion = page.locator("#kb-suggestions a")
    expect(suggestion).to_have_text("فراموشی رمز عبور")
    assert suggestion.get_attribute("href") == reverse("knowledgebase:suggestion_open", kwargs={"pk": article.pk})
    watch.assert_clean()

    ticket = ticket_services.ticket_create(
        requester=customer,
        department=department,
        subject="رمزم را فراموش کرده‌ام",
        body="نمی‌توانم وارد شوم.",
        channel=Channel.WEB,
        created_by=customer,
    )
    context = chromium_browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    agent_page = context.new_page()
    agent_page.set_default_timeout(15_000)
    agent_watch = Watch(agent_page, live_server.url)
    log_in(agent_page, live_server, agent)
    agent_page.goto(live_server.url + reverse("tickets:detail", args=[ticket.reference]), wait_until="networkidle")
    with agent_page.expect_response(lambda r: reverse("knowledgebase:picker") in r.url):
        agent_page.locator("#kb-picker-q").press_sequentially("رمز")
    agent_page.locator("[data-kb-insert]").first.click()
    link = f"[فراموشی رمز عبور]({live_server.url}{article.get_absolute_url()})"
    expect(agent_page.locator("#id_body")).to_have_value(re.compile(re.escape(link)))
    agent_watch.assert_clean()
    context.close()

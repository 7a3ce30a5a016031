"""A customer files a ticket and an agent answers it, in headless Chromium against `live_server`.

Fails on a console error, an uncaught exception, a CSP violation, a failed request or a request to another
host. Screenshots for a person to look at: /tmp/tickets-*.png.
"""

import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.tests.factories import AgentFactory, CustomerFactory
from tickets.models import Attachment, Message, Ticket

from .factories import CannedResponseFactory, DepartmentFactory, PriorityFactory
from .views_support import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir())

CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _cut_by_navigation(request) -> bool:
    """A background fetch (the presence poll) still under way when the page navigates (a form sent) is cancelled
    by the browser: net::ERR_ABORTED, not a failure of the site. Seen under load: the poll outlived its page."""
    return request.resource_type in ("fetch", "xhr") and request.failure == "net::ERR_ABORTED"


class Watch:
    def __init__(self, page, base_url):
        self.page, self.host = page, urlsplit(base_url).netloc
        self.errors: list[str] = []
        page.add_init_script(CSP_RECORDER)
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page: {e}"))
        page.on(
            "requestfailed", lambda r: not _cut_by_navigation(r) and self.errors.append(f"failed: {r.url} {r.failure}")
        )
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status}: {r.url}"))
        page.on(
            "request",
            lambda r: (
                urlsplit(r.url).scheme.startswith("http")
                and urlsplit(r.url).netloc != self.host
                and self.errors.append(f"foreign: {r.url}")
            ),
        )

    def assert_clean(self):
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], violations
        assert self.errors == [], self.errors


def log_in(page, live_server, user):
    """Reuse a server-side session (the login form has its own browser test in accounts)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_customer_files_a_ticket_and_an_agent_replies(browser_page, chromium_browser, live_server, tmp_path):
    agent = AgentFactory(full_name="علی رضایی")
    DepartmentFactory(name="پشتیبانی فنی", members=[agent])
    PriorityFactory(name="عادی", is_default=True)
    customer = CustomerFactory(full_name="مریم کاظمی")
    CannedResponseFactory(title="سلام و پیگیری", body="سلام {customer_name}، درخواست شما بررسی شد.")
    screenshot = tmp_path / "screen.png"
    screenshot.write_bytes(png().read())

    # --- the customer files a ticket -----------------------------------------------------------------------
    page = browser_page
    watch = Watch(page, live_server.url)
    log_in(page, live_server, customer)
    page.goto(live_server.url + "/tickets/new/", wait_until="networkidle")
    page.select_option("#id_department", label="پشتیبانی فنی")
    page.fill("#id_subject", "چاپگر طبقه دوم کار نمی‌کند")
    # A keyup asks for the knowledge-base suggestions (after htmx's 400 ms delay); wait for their answer, or the
    # submit below would abort the request in flight (`wait_for_load_state` returns at once: the page has loaded).
    with page.expect_response(lambda r: "/suggest" in r.url and r.ok):
        page.locator("#id_subject").press("End")
    page.fill("#id_body", "از دیروز هیچ برگه‌ای چاپ نمی‌شود.")
    page.set_input_files("#id_attachments", str(screenshot))
    page.screenshot(path=str(SHOTS / "tickets-customer-new.png"), full_page=True)
    page.get_by_role("button", name="ارسال").click()
    page.wait_for_load_state("networkidle")

    ticket = Ticket.objects.get()
    assert page.url.endswith(f"/tickets/{ticket.reference}/")
    assert "ثبت شد" in page.locator(".alert-success").inner_text()
    assert page.locator("h1").inner_text().endswith("چاپگر طبقه دوم کار نمی‌کند")
    assert Attachment.objects.filter(message__ticket=ticket).count() == 1
    page.screenshot(path=str(SHOTS / "tickets-customer-ticket.png"), full_page=True)
    watch.assert_clean()

    # --- the agent answers it, with a canned response inserted through htmx ------------------------------
    context = chromium_browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    agent_page = context.new_page()
    agent_page.set_default_timeout(15_000)
    agent_watch = Watch(agent_page, live_server.url)
    log_in(agent_page, live_server, agent)
    agent_page.goto(live_server.url + "/tickets/queue/", wait_until="networkidle")
    agent_page.screenshot(path=str(SHOTS / "tickets-queue.png"), full_page=True)
    agent_page.get_by_role("link", name="چاپگر طبقه دوم کار نمی‌کند").click()
    agent_page.wait_for_load_state("networkidle")

    agent_page.select_option("#id_canned", label="سلام و پیگیری")
    with agent_page.expect_response(lambda r: r.url.endswith("/canned/")):
        agent_page.get_by_role("button", name="درج").click()
    expect(agent_page.locator("#id_body")).to_have_value(re.compile("سلام مریم کاظمی"))
    expect(agent_page.locator("#id_body")).to_be_focused()  # back in the box, caret after the inserted text
    with agent_page.expect_response(lambda r: r.url.endswith("/presence/") and r.request.method == "POST"):
        agent_page.locator("#id_body").press_sequentially(" لطفاً دوباره امتحان کنید.")
    assert agent_page.input_value("#presence-state") == "writing"
    agent_page.select_option("#id_status", value="waiting")
    agent_page.get_by_role("button", name="ارسال پاسخ").click()
    agent_page.wait_for_load_state("networkidle")

    assert "پاسخ شما ارسال شد" in agent_page.locator(".alert-success").inner_text()
    reply = Message.objects.filter(ticket=ticket, author=agent).get()
    assert reply.body.startswith("سلام مریم کاظمی، درخواست شما بررسی شد.")
    assert "دوباره امتحان کنید" in reply.body
    agent_page.screenshot(path=str(SHOTS / "tickets-staff-ticket.png"), full_page=True)
    agent_watch.assert_clean()
    context.close()

    # --- the customer sees the answer ----------------------------------------------------------------------
    page.reload(wait_until="networkidle")
    assert "سلام مریم کاظمی" in page.locator("section").first.inner_text()
    assert "در انتظار مشتری" in page.locator("header.mb-3").inner_text()
    watch.assert_clean()

"""Phones (issue #13): at 390×844 the queue and the portal are cards, the staff ticket page and the customer's
pages fit the screen (no horizontal scrolling), every control is a 44px thumb target, and the sidebar form comes
after the conversation. Also in Chromium: the due-time picker of the sidebar form, and Persian text right-to-left
on an English page. Screenshots go to pytest's tmp dir (`tmp_path`), for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accounts.tests.factories import AgentFactory, CustomerFactory
from tickets import services

from .factories import DepartmentFactory, PriorityFactory
from .test_browser_tickets import Watch, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Visible controls in <main> smaller than 44px in either direction (a checkbox counts by its tap area, the label).
SMALL_TARGETS = """
() => [...document.querySelectorAll("main a.btn, main button, main select, main textarea, main input, main .tk-tap,"
                                    + " main .tk-cards a, main summary")]
  .filter((el) => el.type !== "hidden" && el.type !== "checkbox" && el.offsetParent !== null)
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.height < 44 || (el.matches(".tk-tap") && box.width < 44))
  .map(([el, box]) => `${el.tagName}.${el.className} «${(el.innerText || el.name || "").trim().slice(0, 30)}» `
                      + `${Math.round(box.width)}×${Math.round(box.height)}`)
"""


@pytest.fixture
def phone(chromium_browser):
    context = chromium_browser.new_context(locale="fa-IR", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def people(db):
    agent = AgentFactory(full_name="علی رضایی")
    department = DepartmentFactory(name="پشتیبانی فنی", members=[agent])
    PriorityFactory(name="عادی", is_default=True)
    customer = CustomerFactory(full_name="مریم کاظمی")
    tickets = [
        services.ticket_create(
            requester=customer,
            department=department,
            subject=subject,
            body="از دیروز هیچ برگه‌ای چاپ نمی‌شود. فایل big.txt را هم فرستادم.",
            channel="web",
            created_by=customer,
        )
        for subject in (
            "چاپگر طبقه دوم کار نمی‌کند و کاغذ را گیر می‌اندازد، لطفاً زود رسیدگی کنید",
            "VPN connection drops every 10 minutes",
            "فاکتور شماره ۱۲۳۴۵ اشتباه است",
        )
    ]
    services.ticket_assign(ticket=tickets[0], agent=agent, actor=agent)
    services.ticket_set_due(ticket=tickets[0], actor=agent, resolution_due=tickets[0].created_at + dt.timedelta(days=2))
    services.ticket_set_tags(ticket=tickets[0], tags=["چاپگر", "طبقه دوم"], actor=agent)
    return agent, customer, tickets


def _no_horizontal_overflow(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width}px wide on a {inner}px screen"


def _small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_queue_is_cards_on_a_phone(phone, live_server, people, tmp_path):
    agent, _customer, tickets = people
    watch = Watch(phone, live_server.url)
    log_in(phone, live_server, agent)
    phone.goto(live_server.url + "/tickets/queue/", wait_until="networkidle")
    phone.screenshot(path=str(tmp_path / "queue-390.png"), full_page=True)

    _no_horizontal_overflow(phone)
    assert not phone.locator(".tk-queue thead").is_visible()  # no table header: cards
    row = phone.locator(".tk-queue tbody tr", has_text="چاپگر طبقه دوم")
    card, subject = row.bounding_box(), row.locator(".tk-c-subject").bounding_box()
    assert card["width"] <= PHONE["width"] and subject["width"] > PHONE["width"] * 0.6  # not a sliver
    # Subject first, then status, priority, due and assignee (in reading order: lines top to bottom, then RTL).
    order = [
        row.locator(f".tk-c-{name}").bounding_box() for name in ("subject", "status", "priority", "due", "assignee")
    ]
    assert all(box is not None and box["height"] > 0 for box in order)
    assert order[0]["y"] + order[0]["height"] <= min(box["y"] for box in order[1:]) + 1  # the subject on top
    assert [box["y"] for box in order[1:]] == sorted(box["y"] for box in order[1:])
    for before, after in zip(order[1:], order[2:], strict=False):
        if abs(before["y"] - after["y"]) < 2:  # on the same line: right to left
            assert before["x"] > after["x"]
    assert "علی رضایی" in row.locator(".tk-c-assignee").inner_text()
    assert _small_targets(phone) == []
    watch.assert_clean()


def test_the_staff_ticket_page_on_a_phone_and_its_due_picker(phone, live_server, people, tmp_path):
    agent, _customer, tickets = people
    ticket = tickets[0]
    watch = Watch(phone, live_server.url)
    log_in(phone, live_server, agent)
    phone.goto(live_server.url + f"/tickets/{ticket.reference}/", wait_until="networkidle")
    phone.screenshot(path=str(tmp_path / "staff-ticket-390.png"), full_page=True)

    _no_horizontal_overflow(phone)
    conversation = _box(phone, "section[aria-label]")
    reply = _box(phone, "#reply-form")
    sidebar = _box(phone, "#ticket-update")
    assert conversation["y"] + conversation["height"] <= reply["y"] <= sidebar["y"]  # thread, reply, then the form
    assert sidebar["width"] <= PHONE["width"]
    assert _small_targets(phone) == []
    assert phone.locator("#id_ticket_status").input_value() == ticket.status  # the current status, preselected

    # The due time through the Jalali picker (date and time), then one save.
    before = ticket.resolution_due
    field = phone.locator("#id_ticket_resolution_due")
    field.click()
    phone.locator("jdp-container").wait_for(state="visible")
    phone.locator("jdp-container .jdp-day:not(.not-in-month):not(.disabled-day)").last.click()
    phone.locator("jdp-container").screenshot(path=str(tmp_path / "due-picker-390.png"))
    phone.locator("jdp-overlay").click(position={"x": 5, "y": 5})  # tap outside: the picker closes
    phone.locator("jdp-container").wait_for(state="hidden")
    value = field.input_value()
    assert re.fullmatch(r"[۱۲۳۴۵۶۷۸۹۰]{4}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}", value), value
    phone.locator("#ticket-update button[type=submit]").click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".alert-success").count() == 1, phone.locator("main").inner_text()[:500]
    ticket.refresh_from_db()
    assert ticket.resolution_due != before
    assert phone.locator("#id_ticket_resolution_due").input_value() == value  # shown back as picked
    phone.screenshot(path=str(tmp_path / "staff-ticket-saved-390.png"), full_page=True)
    watch.assert_clean()


def test_the_portal_and_a_customer_ticket_on_a_phone(phone, live_server, people, tmp_path):
    _agent, customer, tickets = people
    watch = Watch(phone, live_server.url)
    log_in(phone, live_server, customer)
    phone.goto(live_server.url + "/tickets/", wait_until="networkidle")
    phone.screenshot(path=str(tmp_path / "portal-390.png"), full_page=True)
    _no_horizontal_overflow(phone)
    assert not phone.locator(".tk-portal thead").is_visible()
    row = phone.locator(".tk-portal tbody tr").first
    assert row.locator(".tk-c-subject").bounding_box()["y"] < row.locator(".tk-c-status").bounding_box()["y"]
    assert _small_targets(phone) == []

    phone.goto(live_server.url + f"/tickets/{tickets[0].reference}/", wait_until="networkidle")
    phone.screenshot(path=str(tmp_path / "customer-ticket-390.png"), full_page=True)
    _no_horizontal_overflow(phone)
    assert _small_targets(phone) == []
    watch.assert_clean()


def test_persian_text_reads_right_to_left_on_an_english_page(browser_page, live_server, people):
    _agent, customer, tickets = people
    customer.language = "en"
    customer.save(update_fields=["language"])
    page = browser_page
    log_in(page, live_server, customer)
    page.goto(live_server.url + f"/tickets/{tickets[0].reference}/", wait_until="networkidle")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    body_direction = page.evaluate("getComputedStyle(document.querySelector('.tk-body')).direction")
    subject_direction = page.evaluate("getComputedStyle(document.querySelector('h1 .tk-subject')).direction")
    assert body_direction == "rtl" and subject_direction == "rtl"

"""The Persian admin in headless Chromium (#13): the Jalali picker on a date-and-time input, and Django's own scripts
writing Persian digits (the changelist's selection counter). Fails on a console error, an uncaught exception or a
CSP violation. Screenshot for a person to look at: /tmp/admin-picker.png."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from helpdesk import jalali
from helpdesk.models import IPBlock
from helpdesk.persian import to_latin_digits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _open_as(page, live_server, user, path):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    errors: list[str] = []
    page.add_init_script(CSP_RECORDER)
    page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"page: {e}"))
    page.goto(live_server.url + path, wait_until="networkidle")
    return errors


def test_the_date_and_time_picker_fills_a_jalali_moment_that_is_saved(browser_page, live_server, site_admin):
    page = browser_page
    errors = _open_as(page, live_server, site_admin, "/admin/helpdesk/ipblock/add/")
    page.fill("#id_network", "198.51.100.0/24")
    page.fill("#id_reason", "هرزنامه")
    field = page.locator("#id_expires_at")
    field.click()
    page.locator("jdp-container").wait_for(state="visible")
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "admin-picker.png"))
    page.locator("jdp-container .jdp-day:not(.not-in-month)", has_text="۲۸").first.click()
    page.locator("h1").first.click()  # focus leaves the field; the picker closes
    value = field.input_value()
    assert re.fullmatch("[۰-۹]{4}/[۰-۹]{2}/۲۸ [۰-۹]{2}:[۰-۹]{2}", value), value
    expected_day = jalali.parse_jalali_date(to_latin_digits(value).split()[0])
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("networkidle")
    block = IPBlock.objects.get()
    assert timezone.localtime(block.expires_at).date() == expected_day
    assert page.evaluate("window.__cspViolations || []") == []
    assert errors == []


def test_the_selection_counter_counts_in_persian_digits(browser_page, live_server, site_admin):
    IPBlock.objects.create(network="203.0.113.0/24", reason="هرزنامه", expires_at=timezone.now() + dt.timedelta(days=1))
    page = browser_page
    errors = _open_as(page, live_server, site_admin, "/admin/helpdesk/ipblock/")
    page.locator("input.action-select").first.check()
    counter = page.locator(".action-counter")
    page.wait_for_function("!/[0-9]/.test(document.querySelector('.action-counter').textContent)")
    assert "۱" in counter.inner_text()
    assert errors == []

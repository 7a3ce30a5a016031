"""The shell in a real browser: RTL layout, the Vazirmatn font applied, the language switch, the banner, no errors.

Runs in headless Debian Chromium (the `browser_page` fixture in the root conftest.py) against pytest-django's
`live_server`. Every test also fails on a console error, an uncaught exception, a CSP violation, a failed request
or a request to another host.
"""

import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.shortcuts import render
from django.test import Client
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.tests.factories import AdminFactory
from helpdesk.site import clear_site_settings_cache, get_site_settings
from helpdesk.urls import urlpatterns as site_urlpatterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots for a person to look at (/tmp/shell-home.png, -en.png, -mobile.png).
SCREENSHOT = str(Path(tempfile.gettempdir()) / "shell-home.png")

# Records CSP violations in the page; Playwright injects it through the DevTools protocol, outside the page's CSP.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


TEST_PAGE = (
    '{% extends "base.html" %}{% block content %}'
    '<label for="d">تاریخ</label><input id="d" name="d" data-jdp data-jdp-only-date class="form-control">'
    '<button id="hx" type="button" class="btn btn-primary" hx-post="/test/fragment/" hx-target="#out">htmx</button>'
    '<div id="out"></div>'
    "{% endblock %}"
)


def _test_page(request):
    return render(request, "test_shell_page.html")


@require_POST
def _fragment(request):
    """CsrfViewMiddleware has already checked the token by now: only the htmx header can have carried it."""
    return HttpResponse('<p id="swapped">ok</p>')


urlpatterns = [path("test/page/", _test_page), path("test/fragment/", _fragment), *site_urlpatterns]


@pytest.fixture
def test_page_template(settings, tmp_path):
    (tmp_path / "test_shell_page.html").write_text(TEST_PAGE, encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]


class PageWatch:
    """Collects what must not happen while a page is used."""

    def __init__(self, page, base_url):
        self.page = page
        self.host = urlsplit(base_url).netloc
        self.console_errors = []
        self.page_errors = []
        self.failed = []
        self.foreign = []
        page.add_init_script(CSP_RECORDER)
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("request", self._on_request)
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}"))

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != self.host:
            self.foreign.append(request.url)

    def assert_clean(self):
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], f"CSP violations: {violations}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"uncaught errors: {self.page_errors}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.foreign == [], f"requests to other hosts: {self.foreign}"


def _font_state(page) -> dict:
    return page.evaluate(
        """async () => {
            await document.fonts.ready;
            await document.fonts.load('16px Vazirmatn');
            const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Vazirmatn');
            return {
                family: getComputedStyle(document.body).fontFamily,
                buttonFamily: getComputedStyle(document.querySelector('button')).fontFamily,
                loaded: faces.some(f => f.status === 'loaded'),
                check: document.fonts.check('16px Vazirmatn'),
            };
        }"""
    )


def _html_attrs(page) -> tuple[str, str, str]:
    return tuple(
        page.evaluate(
            "[document.documentElement.lang, document.documentElement.dir, getComputedStyle(document.body).direction]"
        )
    )


def test_home_is_rtl_with_vazirmatn_and_the_language_switch_round_trips(browser_page, live_server):
    page = browser_page
    watch = PageWatch(page, live_server.url)
    font_responses = []
    page.on("response", lambda r: r.url.endswith(".woff2") and font_responses.append((r.url, r.status)))

    page.goto(live_server.url + "/", wait_until="networkidle")

    assert _html_attrs(page) == ("fa", "rtl", "rtl")
    font = _font_state(page)
    assert font["family"].strip('"').startswith("Vazirmatn"), font
    assert font["buttonFamily"].strip('"').startswith("Vazirmatn"), font
    assert font["loaded"] and font["check"], font
    assert font_responses and all(status == 200 for _, status in font_responses), font_responses
    assert all(urlsplit(url).path.startswith("/static/vendor/vazirmatn/") for url, _ in font_responses)
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"
    # The brand sits on the right in RTL: the navbar's brand is to the right of the language switch.
    brand = page.locator(".navbar-brand").bounding_box()
    switch = page.locator("form.hd-lang").bounding_box()
    assert brand["x"] > switch["x"]
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.locator("form.hd-lang button[value=en]").click()
    page.wait_for_load_state("networkidle")
    assert _html_attrs(page) == ("en", "ltr", "ltr")
    assert page.locator("h1").inner_text().startswith("Welcome to")
    assert page.locator("link[href$='bootstrap.min.css']").count() == 1
    brand = page.locator(".navbar-brand").bounding_box()
    switch = page.locator("form.hd-lang").bounding_box()
    assert brand["x"] < switch["x"]
    page.screenshot(path=SCREENSHOT.replace(".png", "-en.png"), full_page=True)

    page.locator("form.hd-lang button[value=fa]").click()
    page.wait_for_load_state("networkidle")
    assert _html_attrs(page) == ("fa", "rtl", "rtl")
    assert "خوش آمدید" in page.locator("h1").inner_text()

    watch.assert_clean()


def test_banner_dismissal_is_remembered(browser_page, live_server):
    site = get_site_settings()
    site.customer_message = "سامانه جمعه از ساعت ۲۲ به‌روزرسانی می‌شود."
    site.save()
    clear_site_settings_cache()
    page = browser_page
    watch = PageWatch(page, live_server.url)

    page.goto(live_server.url + "/", wait_until="networkidle")
    banner = page.locator("[data-banner-key]")
    assert banner.is_visible()
    assert "به‌روزرسانی" in banner.inner_text()
    banner.locator(".btn-close").click()
    banner.wait_for(state="detached")

    page.reload(wait_until="networkidle")
    assert page.locator("[data-banner-key]").count() == 0

    # A new message has a new key, so it shows again.
    site.customer_message = "پیام تازه"
    site.save()
    clear_site_settings_cache()
    page.reload(wait_until="networkidle")
    assert page.locator("[data-banner-key]").is_visible()
    watch.assert_clean()


def test_narrow_screen_menu_opens(browser_page, live_server):
    page = browser_page
    watch = PageWatch(page, live_server.url)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/", wait_until="networkidle")

    switch = page.locator("form.hd-lang")
    assert not switch.is_visible()
    page.locator(".navbar-toggler").click()
    switch.wait_for(state="visible")
    page.screenshot(path=SCREENSHOT.replace(".png", "-mobile.png"), full_page=True)
    watch.assert_clean()


def test_error_page_in_the_browser(browser_page, live_server):
    page = browser_page
    watch = PageWatch(page, live_server.url)
    response = page.goto(live_server.url + "/no-such-page/", wait_until="networkidle")
    assert response.status == 404
    watch.failed = [f for f in watch.failed if "/no-such-page/" not in f]
    assert _html_attrs(page) == ("fa", "rtl", "rtl")
    assert "صفحه پیدا نشد" in page.locator("h1").inner_text()
    page.screenshot(path=SCREENSHOT.replace("home", "404"), full_page=True)
    # Chromium logs the 404 of the document itself as a console error; that one is expected.
    watch.console_errors = [e for e in watch.console_errors if "404" not in e]
    watch.assert_clean()


@pytest.mark.urls(__name__)
def test_jalali_date_picker_opens_without_csp_violations(browser_page, live_server, test_page_template):
    page = browser_page
    watch = PageWatch(page, live_server.url)

    page.goto(live_server.url + "/test/page/", wait_until="networkidle")
    page.locator("#d").click()
    picker = page.locator("jdp-container")
    picker.wait_for(state="visible")
    page.locator("jdp-container .jdp-day:not(.not-in-month)").first.click()
    assert re.fullmatch(r"1[34]\d\d/\d\d/\d\d", page.locator("#d").input_value())  # a Jalali date
    watch.assert_clean()


@pytest.mark.urls(__name__)
def test_htmx_post_carries_the_csrf_token(browser_page, live_server, test_page_template):
    page = browser_page
    watch = PageWatch(page, live_server.url)

    page.goto(live_server.url + "/test/page/", wait_until="networkidle")
    page.locator("#hx").click()
    page.locator("#swapped").wait_for(state="visible")
    watch.assert_clean()


def test_logout_button_logs_out_in_the_browser(browser_page, live_server):
    admin = AdminFactory()
    client = Client()
    client.force_login(admin)
    host = urlsplit(live_server.url).hostname
    browser_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = browser_page
    watch = PageWatch(page, live_server.url)

    page.goto(live_server.url + "/", wait_until="networkidle")
    assert admin.full_name in page.locator("nav").inner_text()
    page.locator("nav form[method=post] button[type=submit]", has_text="خروج").click()
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/", wait_until="networkidle")
    assert admin.full_name not in page.locator("nav").inner_text()
    assert page.locator("nav a", has_text="ورود").count() == 1
    watch.assert_clean()


def test_the_logo_shows_from_its_branding_route(browser_page, live_server):
    """The logo (#14.3) comes from /branding/<name>, never /media/, and the browser draws it (no CSP or CORP
    refusal of the image, nothing failed)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from helpdesk import services

    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (20, 90, 160)).save(buffer, format="PNG")
    services.site_settings_update(logo=SimpleUploadedFile("logo.png", buffer.getvalue()))
    clear_site_settings_cache()
    page = browser_page
    watch = PageWatch(page, live_server.url)
    page.goto(live_server.url + "/", wait_until="networkidle")
    logo = page.locator(".navbar-brand img")
    assert urlsplit(logo.evaluate("img => img.src")).path.startswith("/branding/")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 64
    watch.assert_clean()

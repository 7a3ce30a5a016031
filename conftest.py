"""Project-wide pytest set-up: services the suite needs, and the rule that a missing service fails in CI."""

import os

import pytest

# Fixtures shared by every app's tests (people around a department, tickets, the Kavenegar stub, a real Celery
# worker); none of them is autouse.
pytest_plugins = ["testing.fixtures"]

# When REQUIRE_SERVICES=1 (set by .ci/run), a test that would be skipped because PostgreSQL, Redis or
# Chromium is not available fails instead, so CI cannot pass by skipping.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str):
    """Skip (locally) or fail (in CI) a test whose service is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service not available: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through the test client leaves its language active in
    the thread (LocaleMiddleware activates it and nothing deactivates it), which would leak into the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty, working cache (site settings, presence, lockouts are cached)."""
    from django.core.cache import cache

    from helpdesk.cache import outage

    outage.reset()
    cache.clear()
    yield
    cache.clear()
    outage.reset()


# --- Browser tests (site shell): headless Debian Chromium driven by Playwright's sync API --------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """One Chromium for the whole run (the system package, never a downloaded build)."""
    if not os.path.exists(CHROMIUM):
        service_unavailable(f"{CHROMIUM} is not installed (apt-get install chromium, or `make system-deps`)")
    # Sync Playwright runs an asyncio loop in the test thread; Django would otherwise refuse ORM calls there.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # a broken install is a missing service too
        playwright.stop()
        service_unavailable(f"Chromium does not start: {exc}")
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def browser_page(chromium_browser):
    """A fresh page (own cookies and storage) per test, 1280×900, Persian locale."""
    context = chromium_browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()

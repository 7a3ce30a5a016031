"""Every report page in headless Chromium, in Persian and in English: the charts are drawn (right-to-left with
Persian digits on Persian pages), nothing breaks (console errors, CSP violations, failed or foreign requests), and a
screenshot of each page is saved under test-results/ for a person to look at."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from tickets.tests.test_browser_tickets import Watch, log_in

from .conftest import RANGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-results"
SECTIONS = ["overview", "sla", "agents", "channels", "kb", "article6"]


@pytest.mark.parametrize("language", ["fa", "en"])
def test_each_page_draws_its_charts(browser_page, live_server, month, manager, language):
    page = browser_page
    watch = Watch(page, live_server.url)
    log_in(page, live_server, manager)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    SHOTS.mkdir(exist_ok=True)
    for section in SECTIONS:
        page.goto(f"{live_server.url}{reverse(f'reports:{section}')}?{urlencode(RANGE)}", wait_until="networkidle")
        page.wait_for_selector("body[data-rp-charts]")
        canvases = page.locator("canvas[data-rp-chart]").count()
        assert canvases >= 1
        assert page.evaluate("document.body.dataset.rpCharts") == str(canvases)
        state = page.evaluate(
            """() => [...document.querySelectorAll('canvas[data-rp-chart]')].map(c => {
                const chart = Chart.getChart(c);
                const y = chart.scales.y;
                return {locale: chart.options.locale, reverse: chart.options.scales.x.reverse,
                        tick: y.ticks.length ? y.ticks[y.ticks.length - 1].label : '', width: c.width};
            })"""
        )
        persian = language == "fa"
        assert page.evaluate("document.documentElement.dir") == ("rtl" if persian else "ltr")
        for chart in state:
            assert chart["locale"] == ("fa-IR" if persian else "en-US") and chart["reverse"] == persian
            assert chart["width"] > 100
            if chart["tick"]:
                assert any(ch in chart["tick"] for ch in "۰۱۲۳۴۵۶۷۸۹") == persian, chart
        page.screenshot(path=str(SHOTS / f"reports-{section}-{language}.png"), full_page=True)
    watch.assert_clean()

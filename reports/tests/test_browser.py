"""Every report page in headless Chromium, in Persian and in English: the charts are drawn (right-to-left with
Persian digits on both axes and in the tooltip under the pointer on Persian pages), nothing breaks (console errors,
CSP violations, failed or foreign requests), and a screenshot of each page is saved under test-results/ for a person
to look at."""

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
                return {locale: chart.options.locale, reverse: chart.options.scales.x.reverse, kind: chart.config.type,
                        y: chart.scales.y.ticks.map(t => t.label), x: chart.scales.x.ticks.map(t => t.label),
                        width: c.width};
            })"""
        )
        persian = language == "fa"
        assert page.evaluate("document.documentElement.dir") == ("rtl" if persian else "ltr")
        for index, chart in enumerate(state):
            assert chart["locale"] == ("fa-IR" if persian else "en-US") and chart["reverse"] == persian
            assert chart["width"] > 100
            assert chart["y"] and all(in_the_pages_digits(tick, persian) for tick in chart["y"]), chart
            if chart["kind"] == "line":  # over time: Jalali dates (bar charts are labelled with names)
                assert chart["x"] and all(in_the_pages_digits(tick, persian) for tick in chart["x"]), chart
            for line in tooltip(page, index):
                assert in_the_pages_digits(line.rpartition(": ")[2], persian), (section, line)
        page.screenshot(path=str(SHOTS / f"reports-{section}-{language}.png"), full_page=True)
    watch.assert_clean()


PERSIAN_DIGITS, LATIN_DIGITS = "۰۱۲۳۴۵۶۷۸۹", "0123456789"


def in_the_pages_digits(text: str, persian: bool) -> bool:
    """Some digits, all Persian on a Persian page and all Latin otherwise."""
    wanted, unwanted = (PERSIAN_DIGITS, LATIN_DIGITS) if persian else (LATIN_DIGITS, PERSIAN_DIGITS)
    return any(ch in wanted for ch in text) and not any(ch in unwanted for ch in text)


def tooltip(page, index: int) -> list[str]:
    """The tooltip's lines with the pointer over the first bucket of chart `index` that has a value (none if the
    chart has no value at all)."""
    canvas = page.locator("canvas[data-rp-chart]").nth(index)
    canvas.scroll_into_view_if_needed()
    point = page.evaluate(
        """(index) => {
            const canvas = document.querySelectorAll('canvas[data-rp-chart]')[index];
            const chart = Chart.getChart(canvas);
            for (const [d, dataset] of chart.data.datasets.entries()) {
                const i = dataset.data.findIndex(v => v !== null);
                if (i >= 0) {
                    const box = canvas.getBoundingClientRect(), area = chart.chartArea;
                    return {x: box.left + chart.getDatasetMeta(d).data[i].x, y: box.top + (area.top + area.bottom) / 2};
                }
            }
            return null;
        }""",
        index,
    )
    if point is None:
        return []
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(
        "(index) => Chart.getChart(document.querySelectorAll('canvas[data-rp-chart]')[index]).tooltip.opacity > 0",
        arg=index,
    )
    lines = page.evaluate(
        """(index) => Chart.getChart(document.querySelectorAll('canvas[data-rp-chart]')[index])
            .tooltip.body.flatMap(b => b.lines)""",
        index,
    )
    assert lines
    return lines

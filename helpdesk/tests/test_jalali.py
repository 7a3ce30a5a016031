import datetime as dt
import re

import jdatetime
import pytest
import time_machine
from django.utils import translation

from helpdesk import jalali
from helpdesk.jalali import (
    JalaliDateError,
    is_leap,
    month_last_day,
    month_length,
    month_range,
    parse_jalali_date,
    parse_jalali_datetime,
    to_gregorian,
)
from helpdesk.l10n import TEHRAN

UTC = dt.UTC

# The official calendar (Iran's calendar authority), 1395–1420: the years with Esfand 30.
OFFICIAL_LEAP_YEARS = {1395, 1399, 1403, 1408, 1412, 1416, 1420}
# Nowruz (1 Farvardin) in the Gregorian calendar, as published.
OFFICIAL_NOWRUZ = {
    1395: dt.date(2016, 3, 20),
    1396: dt.date(2017, 3, 21),
    1397: dt.date(2018, 3, 21),
    1398: dt.date(2019, 3, 21),
    1399: dt.date(2020, 3, 20),
    1400: dt.date(2021, 3, 21),
    1401: dt.date(2022, 3, 21),
    1402: dt.date(2023, 3, 21),
    1403: dt.date(2024, 3, 20),
    1404: dt.date(2025, 3, 21),
    1405: dt.date(2026, 3, 21),
}


class TestLeapYears:
    @pytest.mark.parametrize("year", range(1395, 1421))
    def test_matches_the_official_calendar(self, year):
        assert is_leap(year) is (year in OFFICIAL_LEAP_YEARS)

    def test_named_years(self):
        assert is_leap(1399) and is_leap(1403) and is_leap(1408)
        assert not is_leap(1400) and not is_leap(1404)

    def test_jdatetime_follows_the_33_year_arithmetic(self):
        for year in range(1300, 1500):
            assert is_leap(year) is (year % 33 in (1, 5, 9, 13, 17, 22, 26, 30)), year

    @pytest.mark.parametrize(("year", "nowruz"), OFFICIAL_NOWRUZ.items())
    def test_nowruz_dates(self, year, nowruz):
        assert to_gregorian(year, 1, 1) == nowruz

    def test_year_lengths_agree_with_nowruz(self):
        for year in range(1395, 1405):
            length = (OFFICIAL_NOWRUZ[year + 1] - OFFICIAL_NOWRUZ[year]).days
            assert length == (366 if year in OFFICIAL_LEAP_YEARS else 365), year


class TestMonths:
    def test_lengths(self):
        assert [month_length(1403, m) for m in range(1, 13)] == [31] * 6 + [30] * 5 + [30]
        assert month_length(1404, 12) == 29

    def test_last_day(self):
        assert month_last_day(1403, 12) == dt.date(2025, 3, 20)
        assert month_last_day(1404, 12) == dt.date(2026, 3, 20)
        assert month_last_day(1404, 6) == dt.date(2025, 9, 22)
        assert month_last_day(1404, 7) == dt.date(2025, 10, 22)

    def test_range(self):
        assert month_range(1404, 1) == (dt.date(2025, 3, 21), dt.date(2025, 4, 20))

    @pytest.mark.parametrize("month", [0, 13, -1])
    def test_bad_month(self, month):
        with pytest.raises(JalaliDateError) as exc:
            month_length(1403, month)
        assert exc.value.code == "invalid_month"


class TestToGregorian:
    def test_leap_day_exists_only_in_leap_years(self):
        assert to_gregorian(1399, 12, 30) == dt.date(2021, 3, 20)
        assert to_gregorian(1403, 12, 30) == dt.date(2025, 3, 20)
        assert to_gregorian(1408, 12, 30) == dt.date(2030, 3, 20)
        for year in (1400, 1404):
            with pytest.raises(JalaliDateError) as exc:
                to_gregorian(year, 12, 30)
            assert exc.value.code == "invalid_day"

    def test_day_message_names_the_month_and_its_length(self):
        with translation.override("en"):
            with pytest.raises(JalaliDateError) as exc:
                to_gregorian(1404, 12, 30)
            assert str(exc.value) == "Esfand 1404 has 29 days; there is no day 30."

    def test_day_message_uses_persian_digits_in_persian(self):
        with translation.override("fa"):
            with pytest.raises(JalaliDateError) as exc:
                to_gregorian(1404, 12, 30)
            message = str(exc.value)
        assert "۱۴۰۴" in message and "۲۹" in message and "۳۰" in message
        assert not re.search("[0-9A-Za-z]", message), message  # Persian words and digits only

    @pytest.mark.parametrize(("month", "day"), [(1, 32), (7, 31), (1, 0)])
    def test_days_that_do_not_exist(self, month, day):
        with pytest.raises(JalaliDateError):
            to_gregorian(1403, month, day)


class TestParse:
    @pytest.mark.parametrize(
        "typed",
        [
            "1403/12/30",
            "۱۴۰۳/۱۲/۳۰",
            "١٤٠٣/١٢/٣٠",
            "1403-12-30",
            "۱۴۰۳-۱۲-۳۰",
            "1403.12.30",
            "۱۴۰۳٫۱۲٫۳۰",
            " 1403 / 12 / 30 ",
            "\u200f۱۴۰۳/۱۲/۳۰\u200e",
        ],
    )
    def test_spellings(self, typed):
        assert parse_jalali_date(typed) == dt.date(2025, 3, 20)

    def test_single_digit_month_and_day(self):
        assert parse_jalali_date("1404/1/1") == dt.date(2025, 3, 21)

    @pytest.mark.parametrize(
        ("typed", "code"),
        [
            ("", "invalid"),
            ("1403/12", "invalid"),
            ("03/12/30", "invalid"),
            ("1403/12/30/1", "invalid"),
            ("abc", "invalid"),
            ("1403/012/30", "invalid"),
            ("1404/12/30", "invalid_day"),
            ("1400/12/30", "invalid_day"),
            ("1403/07/31", "invalid_day"),
            ("1403/13/01", "invalid_month"),
            ("1403/00/01", "invalid_month"),
            ("1403/01/00", "invalid_day"),
            ("2025/03/20", "invalid_year"),
            ("0999/01/01", "invalid_year"),
        ],
    )
    def test_invalid(self, typed, code):
        with pytest.raises(JalaliDateError) as exc:
            parse_jalali_date(typed)
        assert exc.value.code == code
        assert str(exc.value)

    def test_is_a_value_error(self):
        with pytest.raises(ValueError):
            parse_jalali_date("nope")

    def test_datetime(self):
        moment = parse_jalali_datetime("۱۴۰۳/۱۲/۳۰ ۲۳:۴۵")
        assert moment == dt.datetime(2025, 3, 20, 23, 45, tzinfo=TEHRAN)
        assert moment.astimezone(UTC) == dt.datetime(2025, 3, 20, 20, 15, tzinfo=UTC)
        assert parse_jalali_datetime("1404/01/01 0:05:09") == dt.datetime(2025, 3, 21, 0, 5, 9, tzinfo=TEHRAN)

    @pytest.mark.parametrize(
        ("typed", "code"),
        [
            ("1403/12/30", "invalid"),
            ("1403/12/30 24:00", "invalid_time"),
            ("1403/12/30 12:60", "invalid_time"),
            ("1403/12/30 noon", "invalid"),
            ("1404/12/30 10:00", "invalid_day"),
        ],
    )
    def test_datetime_invalid(self, typed, code):
        with pytest.raises(JalaliDateError) as exc:
            parse_jalali_datetime(typed)
        assert exc.value.code == code


def test_today_follows_the_clock_in_tehran():
    with time_machine.travel(dt.datetime(2025, 3, 20, 20, 31, tzinfo=UTC), tick=False):
        assert jalali.today() == jdatetime.date(1404, 1, 1)
    with time_machine.travel(dt.datetime(2025, 3, 20, 20, 29, tzinfo=UTC), tick=False):
        assert jalali.today() == jdatetime.date(1403, 12, 30)


def render(source: str, language: str, **context) -> str:
    from django.template import Context, Template

    with translation.override(language):
        return Template("{% load persian %}" + source).render(Context(context))


class TestDateFilters:
    moment = dt.datetime(2025, 3, 20, 10, 35, tzinfo=UTC)  # 14:05 in Tehran, the last day of 1403

    def test_jdate_persian(self):
        assert render("{{ v|jdate }}", "fa", v=self.moment) == "۱۴۰۳/۱۲/۳۰"
        assert render("{{ v|jdate }}", "fa", v=dt.date(2025, 3, 21)) == "۱۴۰۴/۰۱/۰۱"

    def test_jdate_english_is_gregorian(self):
        assert render("{{ v|jdate }}", "en", v=self.moment) == "2025-03-20"
        assert render("{{ v|jdate }}", "en", v=dt.date(2025, 3, 21)) == "2025-03-21"

    def test_jdatetime(self):
        assert render("{{ v|jdatetime }}", "fa", v=self.moment) == "۱۴۰۳/۱۲/۳۰ ۱۴:۰۵"
        assert render("{{ v|jdatetime }}", "en", v=self.moment) == "2025-03-20 14:05"

    def test_jdatetime_of_a_plain_date(self):
        assert render("{{ v|jdatetime }}", "fa", v=dt.date(2025, 3, 20)) == "۱۴۰۳/۱۲/۳۰"

    def test_long(self):
        assert render('{{ v|jdate:"long" }}', "en", v=self.moment) == "20 March 2025"
        # Persian month name comes from the catalogue; the digits are Persian either way.
        text = render('{{ v|jdate:"long" }}', "fa", v=self.moment)
        assert text.startswith("۳۰ ") and text.endswith(" ۱۴۰۳")

    def test_crossing_midnight_in_tehran(self):
        late = dt.datetime(2025, 3, 20, 20, 45, tzinfo=UTC)  # 00:15 on Nowruz in Tehran
        assert render("{{ v|jdate }}", "fa", v=late) == "۱۴۰۴/۰۱/۰۱"
        assert render("{{ v|jdatetime }}", "fa", v=late) == "۱۴۰۴/۰۱/۰۱ ۰۰:۱۵"
        assert render("{{ v|jdate }}", "en", v=late) == "2025-03-21"
        assert render("{{ v|jdatetime }}", "en", v=late) == "2025-03-21 00:15"

    def test_naive_is_utc(self):
        assert render("{{ v|jdatetime }}", "fa", v=dt.datetime(2025, 3, 20, 10, 35)) == "۱۴۰۳/۱۲/۳۰ ۱۴:۰۵"

    def test_jdatetime_objects(self):
        assert render("{{ v|jdate }}", "fa", v=jdatetime.date(1403, 12, 30)) == "۱۴۰۳/۱۲/۳۰"

    @pytest.mark.parametrize("value", [None, "", "not a date", 12])
    def test_empty_and_unreadable(self, value):
        for language in ("fa", "en"):
            assert render("{{ v|jdate }}|{{ v|jdatetime }}", language, v=value) == "|"

    def test_jtimesince(self):
        with time_machine.travel(dt.datetime(2025, 3, 20, 13, 35, tzinfo=UTC), tick=False):
            assert render("{{ v|jtimesince }}", "en", v=self.moment) == "3\xa0hours ago"
            persian = render("{{ v|jtimesince }}", "fa", v=self.moment)
        assert "۳" in persian and "3" not in persian
        assert render("{{ v|jtimesince }}", "fa", v=None) == ""


class TestJalaliDateField:
    def form(self, **field_kwargs):
        from django import forms

        from helpdesk.forms import JalaliDateField

        class DateForm(forms.Form):
            day = JalaliDateField(**field_kwargs)

        return DateForm

    @pytest.mark.parametrize(
        ("typed", "expected"),
        [
            ("1399/12/30", dt.date(2021, 3, 20)),
            ("۱۴۰۳/۱۲/۳۰", dt.date(2025, 3, 20)),
            ("١٤٠٨-١٢-٣٠", dt.date(2030, 3, 20)),
            ("1404/1/1", dt.date(2025, 3, 21)),
        ],
    )
    def test_valid(self, typed, expected):
        form = self.form()(data={"day": typed})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == expected

    @pytest.mark.parametrize("typed", ["1400/12/30", "1404/12/30", "۱۴۰۴/۱۲/۳۰"])
    def test_leap_day_of_a_common_year_is_invalid(self, typed):
        with translation.override("en"):
            form = self.form()(data={"day": typed})
            assert not form.is_valid()
            assert "has 29 days; there is no day 30" in form.errors["day"][0]
        assert form.errors.as_data()["day"][0].code == "invalid_day"

    @pytest.mark.parametrize("typed", ["tomorrow", "1403/12", "2025-03-20", "1403/13/1", "1404/12/30"])
    def test_invalid_has_a_persian_message(self, typed):
        with translation.override("fa"):
            form = self.form()(data={"day": typed})
            assert not form.is_valid()
            message = form.errors["day"][0]
        # A Persian sentence: no English words, and numbers (if any) in Persian digits.
        assert re.search("[\u0600-\u06ff]{3,}", message), message
        assert not re.search("[A-Za-z]", message), message

    def test_required_and_optional(self):
        assert not self.form()(data={"day": ""}).is_valid()
        optional = self.form(required=False)(data={"day": "  "})
        assert optional.is_valid() and optional.cleaned_data["day"] is None

    def test_renders_initial_as_jalali_in_persian_digits(self):
        with translation.override("fa"):
            html = str(self.form()(initial={"day": dt.date(2025, 3, 20)})["day"])
        assert 'value="۱۴۰۳/۱۲/۳۰"' in html
        assert "data-jdp" in html and "data-jdp-only-date" in html

    def test_renders_initial_in_latin_digits_in_english(self):
        with translation.override("en"):
            html = str(self.form()(initial={"day": dt.date(2025, 3, 20)})["day"])
        assert 'value="1403/12/30"' in html

    @pytest.mark.parametrize(
        ("language", "typed", "shown"),
        [
            ("fa", "1404/12/30", "۱۴۰۴/۱۲/۳۰"),
            ("fa", "۱۴۰۴/۱۲/۳۰", "۱۴۰۴/۱۲/۳۰"),
            ("en", "۱۴۰۴/۱۲/۳۰", "1404/12/30"),
            ("en", "1404/12/30", "1404/12/30"),
        ],
    )
    def test_re_renders_what_was_typed_after_an_error_in_the_pages_digits(self, language, typed, shown):
        with translation.override(language):
            form = self.form()(data={"day": typed})
            assert not form.is_valid()
            assert f'value="{shown}"' in str(form["day"])


class TestJalaliDateTimeField:
    def form(self):
        from django import forms

        from helpdesk.forms import JalaliDateTimeField

        class MomentForm(forms.Form):
            at = JalaliDateTimeField()

        return MomentForm

    def test_typed_in_tehran_time(self):
        form = self.form()(data={"at": "۱۴۰۳/۱۲/۳۰ ۲۳:۴۵"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["at"] == dt.datetime(2025, 3, 20, 20, 15, tzinfo=UTC)

    def test_invalid(self):
        form = self.form()(data={"at": "1404/12/30 10:00"})
        assert not form.is_valid()
        form = self.form()(data={"at": "1403/12/30"})
        assert not form.is_valid()

    def test_renders_initial_in_tehran_time(self):
        with translation.override("fa"):
            html = str(self.form()(initial={"at": dt.datetime(2025, 3, 20, 20, 45, tzinfo=UTC)})["at"])
        assert 'value="۱۴۰۴/۰۱/۰۱ ۰۰:۱۵"' in html
        assert "data-jdp" in html and "data-jdp-only-date" not in html  # the picker with its time part

    @pytest.mark.parametrize(("language", "shown"), [("fa", "۱۴۰۳/۱۲/۳۰ ۲۳:۴۵"), ("en", "1403/12/30 23:45")])
    def test_datetime_re_renders_what_was_typed_in_the_pages_digits(self, language, shown):
        from django import forms

        class MomentForm(self.form()):
            other = forms.IntegerField()  # missing: the form is shown again with what was typed

        with translation.override(language):
            form = MomentForm(data={"at": "1403/12/30 ۲۳:45"})
            assert not form.is_valid() and "at" not in form.errors
            assert f'value="{shown}"' in str(form["at"])

    def test_unchanged_initial_is_not_a_change(self):
        form = self.form()(data={"day": "۱۴۰۳/۱۲/۳۰"}, initial={"day": dt.date(2025, 3, 20)})
        assert not form.has_changed()

    def test_media_brings_the_optional_picker(self):
        media = str(self.form()().media)
        assert "js/jalali-fields.js" in media
        assert "vendor/" not in media  # base.html loads the picker once for every page


# In a real browser: the site-wide picker reads the Persian-digit value and the form round-trips --------------


def _jalali_form_view(request):
    from django import forms
    from django.http import HttpResponse
    from django.shortcuts import render

    from helpdesk.forms import JalaliDateField

    class DayForm(forms.Form):
        day = JalaliDateField()

    form = DayForm(request.POST or None, initial={"day": dt.date(2025, 3, 20)})
    if form.is_valid():
        return HttpResponse(f"saved {form.cleaned_data['day'].isoformat()}", content_type="text/plain")
    return render(request, "test_jalali_form.html", {"form": form})


def __getattr__(name: str):
    """`urlpatterns` for @pytest.mark.urls(__name__), built on first use so that collecting this module
    does not import every app's URLs (PEP 562 module attribute)."""
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path

    from helpdesk.urls import urlpatterns as site_urlpatterns

    return [path("test/jalali/", _jalali_form_view), *site_urlpatterns]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_picker_opens_on_the_fields_persian_date_and_the_form_saves(browser_page, live_server, settings, tmp_path):
    (tmp_path / "test_jalali_form.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        '<form method="post">{% csrf_token %}{{ form.day }}{{ form.day.errors }}<button id="go">OK</button></form>'
        "{% endblock %}{% block scripts %}{{ form.media }}{% endblock %}",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    page = browser_page
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.goto(live_server.url + "/test/jalali/", wait_until="networkidle")
    field = page.locator("#id_day")
    assert field.input_value() == "۱۴۰۳/۱۲/۳۰"

    field.click()
    page.locator("jdp-container").wait_for(state="visible")
    assert field.input_value() == "1403/12/30"  # Latin while the picker reads it
    # The picker opened on Esfand 1403 (the field's month), not on today's month.
    page.locator("jdp-container .jdp-day:not(.not-in-month)", has_text="۱۵").first.click()
    page.locator("jdp-container").wait_for(state="hidden")
    page.locator("h1, main").first.click()  # focus leaves the field
    assert field.input_value() == "۱۴۰۳/۱۲/۱۵"
    assert errors == []

    page.locator("#go").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("body").inner_text().strip() == "saved 2025-03-05"

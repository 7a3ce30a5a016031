"""helpdesk.l10n: Persian or not is decided once; digits, numbers, lists and dates follow it."""

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import jdatetime
import pytest
from django.utils import translation

from helpdesk import l10n
from helpdesk.l10n import (
    digits,
    digits_in_html,
    format_date,
    format_datetime,
    format_jalali_date,
    format_jalali_datetime,
    format_number,
    join_list,
    to_jalali_date,
    to_tehran,
    use_persian_digits,
)

UTC = dt.UTC
# 14:05 in Tehran on 1403/12/30 (2025-03-20), the leap day of 1403.
MOMENT = dt.datetime(2025, 3, 20, 10, 35, tzinfo=UTC)


class TestUsePersianDigits:
    @pytest.mark.parametrize(("language", "persian"), [("fa", True), ("fa-ir", True), ("en", False), ("en-us", False)])
    def test_follows_the_active_language(self, language, persian):
        with translation.override(language):
            assert use_persian_digits() is persian

    def test_persian_when_no_language_is_active(self):
        with translation.override(None):
            assert translation.get_language() is None
            assert use_persian_digits() is True
            assert digits(12) == "۱۲"


class TestDigits:
    def test_persian(self):
        with translation.override("fa"):
            assert digits("Ticket 12 و ١٣") == "Ticket ۱۲ و ۱۳"
            assert digits(1403) == "۱۴۰۳"

    def test_english_turns_every_digit_latin(self):
        with translation.override("en"):
            assert digits("۱۲ and ١٣ and 14") == "12 and 13 and 14"
            assert digits(1403) == "1403"

    def test_nothing_else_changes(self):
        with translation.override("fa"):
            assert digits("1,234.5 #x") == "۱,۲۳۴.۵ #x"


class TestDigitsInHtml:
    def test_text_only(self):
        html = '<td class="c2" data-n="30">30 <b title="5">of 5</b> &#39;7&#39;</td>'
        with translation.override("fa"):
            assert digits_in_html(html) == '<td class="c2" data-n="30">۳۰ <b title="5">of ۵</b> &#39;۷&#39;</td>'

    def test_what_is_sent_back_or_run_keeps_its_digits(self):
        html = '<textarea name="b">line 1\n2</textarea><script>var a = 1;</script><STYLE>p{margin:0 1px}</STYLE> 3'
        with translation.override("fa"):
            assert digits_in_html(html) == html[:-1] + "۳"

    def test_addresses_keep_their_digits(self):
        with translation.override("fa"):
            assert digits_in_html("user1@example.com، https://x.ir/t/12/ و 12") == (
                "user1@example.com، https://x.ir/t/12/ و ۱۲"
            )
            assert digits_in_html("#DC3545 #1234567") == "#DC3545 #۱۲۳۴۵۶۷"  # a colour; a ticket's number

    def test_english_is_latin(self):
        with translation.override("en"):
            assert digits_in_html("<p>۱۲ of ١٣</p>") == "<p>12 of 13</p>"


class TestFormatNumber:
    def test_grouped(self):
        with translation.override("fa"):
            assert format_number(12345678) == "۱۲٬۳۴۵٬۶۷۸"
            assert format_number(-1500) == "-۱٬۵۰۰"
            assert format_number(999) == "۹۹۹"
            assert format_number(0) == "۰"
        with translation.override("en"):
            assert format_number(12345678) == "12,345,678"
            assert format_number(-1234) == "-1,234"

    def test_without_grouping(self):
        with translation.override("fa"):
            assert format_number(1404, grouping=False) == "۱۴۰۴"
            assert format_number(12345678, grouping=False) == "۱۲۳۴۵۶۷۸"
        with translation.override("en"):
            assert format_number(1404, grouping=False) == "1404"

    def test_decimals_use_the_persian_decimal_point(self):
        with translation.override("fa"):
            assert format_number(Decimal("1234567.50")) == "۱٬۲۳۴٬۵۶۷٫۵۰"
            assert format_number(Decimal("9.50"), grouping=False) == "۹٫۵۰"
            assert format_number(3.5, grouping=False) == "۳٫۵"
        with translation.override("en"):
            assert format_number(Decimal("1234567.50")) == "1,234,567.50"
            assert format_number(3.5) == "3.5"

    def test_a_decimal_is_never_written_with_an_exponent(self):
        with translation.override("fa"):
            assert format_number(Decimal("10.00").normalize(), grouping=False) == "۱۰"
            assert format_number(Decimal("1E+6")) == "۱٬۰۰۰٬۰۰۰"


def test_join_list():
    with translation.override("fa"):
        assert join_list(["pdf", "png"]) == "pdf، png"
        assert join_list([]) == ""
    with translation.override("en"):
        assert join_list(iter(["pdf", "png"])) == "pdf, png"


class TestTehranTime:
    def test_utc_evening_is_next_day_in_tehran(self):
        # Tehran is UTC+03:30: 20:30 UTC on the last day of 1403 is already Nowruz 1404.
        before = dt.datetime(2025, 3, 20, 20, 29, 59, tzinfo=UTC)
        after = dt.datetime(2025, 3, 20, 20, 30, tzinfo=UTC)
        with translation.override("en"):
            assert format_jalali_date(before) == "1403/12/30"
            assert format_jalali_date(after) == "1404/01/01"
            assert format_jalali_datetime(after) == "1404/01/01 00:00"
            assert format_date(before) == "2025-03-20"
            assert format_date(after) == "2025-03-21"

    def test_other_zones_are_converted(self):
        moment = dt.datetime(2025, 3, 21, 0, 10, tzinfo=dt.timezone(dt.timedelta(hours=5)))
        with translation.override("en"):
            assert format_jalali_datetime(moment) == "1403/12/30 22:40"
            assert format_datetime(moment) == "2025-03-20 22:40"

    def test_naive_datetime_is_utc(self):
        with translation.override("fa"):
            assert format_jalali_datetime(dt.datetime(2025, 3, 20, 20, 30)) == "۱۴۰۴/۰۱/۰۱ ۰۰:۰۰"
            assert format_datetime(dt.datetime(2025, 3, 20, 10, 35)) == "۱۴۰۳/۱۲/۳۰ ۱۴:۰۵"
        assert to_tehran(dt.datetime(2025, 1, 1, 0, 0)).utcoffset() == dt.timedelta(hours=3, minutes=30)

    def test_historic_daylight_saving_uses_the_zone_rules(self):
        # Iran observed DST until 2022 (UTC+04:30 in summer); the zone database knows it.
        with translation.override("en"):
            assert format_jalali_datetime(dt.datetime(2021, 6, 1, 12, 0, tzinfo=UTC)) == "1400/03/11 16:30"
            assert format_jalali_datetime(dt.datetime(2024, 6, 1, 12, 0, tzinfo=UTC)) == "1403/03/12 15:30"

    def test_plain_date_is_not_shifted(self):
        with translation.override("fa"):
            assert format_jalali_date(dt.date(2025, 3, 20)) == "۱۴۰۳/۱۲/۳۰"
        assert to_jalali_date(dt.date(2025, 3, 21)) == jdatetime.date(1404, 1, 1)


class TestJalaliFormats:
    """Jalali in both languages (what a Jalali field shows), in the active language's digits."""

    def test_date(self):
        with translation.override("fa"):
            assert format_jalali_date(MOMENT) == "۱۴۰۳/۱۲/۳۰"
        with translation.override("en"):
            assert format_jalali_date(MOMENT) == "1403/12/30"

    def test_long_date_names_the_month_in_the_active_language(self):
        with translation.override("fa"):
            text = format_jalali_date(dt.date(2025, 3, 20), long=True)
            assert text == f"۳۰ {l10n.month_name(12)} ۱۴۰۳"
            assert l10n.month_name(12) != "Esfand"  # from the Persian catalogue
        with translation.override("en"):
            assert format_jalali_date(dt.date(2025, 3, 20), long=True) == "30 Esfand 1403"
            assert format_jalali_date(dt.date(2025, 3, 21), long=True) == "1 Farvardin 1404"

    def test_datetime(self):
        with translation.override("fa"):
            assert format_jalali_datetime(MOMENT) == "۱۴۰۳/۱۲/۳۰ ۱۴:۰۵"
        with translation.override("en"):
            assert format_jalali_datetime(MOMENT) == "1403/12/30 14:05"


class TestLanguageCalendar:
    """Jalali with Persian digits on Persian pages, Gregorian in English."""

    def test_date(self):
        with translation.override("fa"):
            assert format_date(MOMENT) == "۱۴۰۳/۱۲/۳۰"
            assert format_date(dt.date(2025, 3, 21)) == "۱۴۰۴/۰۱/۰۱"
        with translation.override("en"):
            assert format_date(MOMENT) == "2025-03-20"
            assert format_date(dt.date(2025, 3, 21)) == "2025-03-21"

    def test_long_date(self):
        with translation.override("fa"):
            assert format_date(MOMENT, long=True) == format_jalali_date(MOMENT, long=True)
        with translation.override("en"):
            assert format_date(MOMENT, long=True) == "20 March 2025"
            # The day in Tehran, not in UTC.
            assert format_date(dt.datetime(2025, 3, 20, 21, 0, tzinfo=UTC), long=True) == "21 March 2025"

    def test_datetime(self):
        with translation.override("fa"):
            assert format_datetime(MOMENT) == "۱۴۰۳/۱۲/۳۰ ۱۴:۰۵"
        with translation.override("en"):
            assert format_datetime(MOMENT) == "2025-03-20 14:05"


# File sizes, percentages, isolation (#13) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "fa", "en"),
    [
        (0, "۰ بایت", "0 bytes"),
        (1, "۱ بایت", "1 byte"),
        (1023, "۱۰۲۳ بایت", "1023 bytes"),
        (1024, "۱٫۰ کیلوبایت", "1.0 KB"),
        (200 * 1024 + 100, "۲۰۰٫۱ کیلوبایت", "200.1 KB"),
        (3 * 1024 * 1024, "۳٫۰ مگابایت", "3.0 MB"),
        (int(1.36 * 1024 * 1024), "۱٫۴ مگابایت", "1.4 MB"),
        (5 * 1024**3, "۵٫۰ گیگابایت", "5.0 GB"),
        (3000 * 1024**3, "۳٬۰۰۰٫۰ گیگابایت", "3,000.0 GB"),
    ],
)
def test_file_sizes_in_persian_units_and_separators(size, fa, en):
    from helpdesk.l10n import format_file_size
    from helpdesk.templatetags.persian import pfilesize

    with translation.override("fa"):
        assert format_file_size(size) == fa == pfilesize(size)
    with translation.override("en"):
        assert format_file_size(size) == en == pfilesize(size)


def test_percent_has_one_form():
    from helpdesk.l10n import format_percent
    from helpdesk.templatetags.persian import ppercent

    with translation.override("fa"):
        assert format_percent(10) == "۱۰٪" == ppercent(10) == ppercent("10")
        assert ppercent("9.5") == "۹٫۵٪"
    with translation.override("en"):
        assert format_percent(10) == "10%" == ppercent("۱۰")
    assert ppercent(None) == "" and ppercent("") == ""


def test_isolate_wraps_user_text_in_first_strong_isolates():
    from helpdesk.l10n import isolate

    assert isolate("big.txt") == "\u2068big.txt\u2069"


# Persian digits or not is decided here alone: outside `helpdesk/l10n.py` (and `helpdesk/persian.py`, which
# defines the conversion) no module converts to Persian digits by itself, except where the text is Persian
# whatever the page's language.
ALWAYS_PERSIAN = {"knowledgebase/demo_articles.py"}  # the demo's articles, written in Persian


def test_only_l10n_decides_whether_digits_are_persian():
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in {".venv", "bench"} or "/tests/" in rel or "/migrations/" in rel:
            continue
        if rel in {"helpdesk/l10n.py", "helpdesk/persian.py", *ALWAYS_PERSIAN}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
            if named == "to_persian_digits" or isinstance(node, ast.alias) and node.name == "to_persian_digits":
                found.append(f"{rel}:{getattr(node, 'lineno', '?')}")
    assert found == []


def test_no_module_but_a_template_tag_imports_the_template_tags():
    """Services, forms, views… format through `helpdesk.l10n`; the template tags are the templates' wrappers of it."""
    root = Path(__file__).resolve().parents[2]
    apps = {p.parent.name for p in root.glob("*/apps.py")}
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] not in apps or {"tests", "migrations", "templatetags"} & set(rel.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else [f".{node.module or ''}"]
                names += [f"{node.module}.{a.name}" for a in node.names]
            if any(n.split(".")[0] in apps | {""} and ".templatetags" in f".{n}" for n in names):
                found.append(f"{rel.as_posix()}:{node.lineno}")
    assert found == []


def test_the_functions_for_a_loop_follow_the_language_active_when_asked():
    """`digits_function` and `format_datetime_function` (a page's loops ask the language once) give what `digits`
    and `format_datetime` give in the language that was active when they were asked."""
    moment = dt.datetime(2025, 3, 20, 21, 5, tzinfo=dt.UTC)  # 1404/01/01 00:35 in Tehran
    with translation.override("fa"):
        to_digits, when = l10n.digits_function(), l10n.format_datetime_function()
        assert (to_digits("#12"), when(moment)) == (l10n.digits("#12"), l10n.format_datetime(moment))
    assert (to_digits("#12"), when(moment)) == ("#۱۲", "۱۴۰۴/۰۱/۰۱ ۰۰:۳۵")
    with translation.override("en"):
        to_digits, when = l10n.digits_function(), l10n.format_datetime_function()
        assert (to_digits("#۱۲"), when(moment)) == (l10n.digits("#۱۲"), l10n.format_datetime(moment))
    assert (to_digits("#۱۲"), when(moment)) == ("#12", "2025-03-21 00:35")

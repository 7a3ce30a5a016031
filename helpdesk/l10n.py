"""How values are shown to a person in the active language: the one place that decides Persian or not.

On Persian pages (the default, and whenever no language is active) digits are Persian («۱۲۳»), «٬» groups
thousands, «٫» is the decimal point, «، » separates list items and dates are Jalali. Otherwise digits are Latin,
with «,», «.» and «, », and dates are Gregorian, except where the Jalali date itself is wanted (a Jalali form
field shows what it reads back; holidays are entered as Jalali dates): `format_jalali_date` and
`format_jalali_datetime` are Jalali in both languages, in the language's digits.

                                          Persian                English
    digits("Ticket 12")                   Ticket ۱۲              Ticket 12
    digits_in_html('<b title="1">1</b>')  <b title="1">۱</b>       <b title="1">1</b>
    format_number(12345678)               ۱۲٬۳۴۵٬۶۷۸             12,345,678
    format_number(Decimal("9.50"), grouping=False)
                                          ۹٫۵۰                   9.50
    join_list(["pdf", "png"])             pdf، png               pdf, png
    format_date(moment)                   ۱۴۰۳/۱۲/۳۰             2025-03-20
    format_date(moment, long=True)        ۳۰ اسفند ۱۴۰۳          20 March 2025
    format_datetime(moment)               ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵       2025-03-20 14:05
    format_jalali_date(moment)            ۱۴۰۳/۱۲/۳۰             1403/12/30
    format_jalali_date(moment, long=True) ۳۰ اسفند ۱۴۰۳          30 Esfand 1403
    format_jalali_datetime(moment)        ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵       1403/12/30 14:05

Times are stored in UTC and shown in Asia/Tehran, so a moment's date depends on the zone: 2025-03-20 21:00 UTC
is already 1404/01/01 (Nowruz) in Tehran. Every function that takes a datetime converts it to Tehran first. A
**naive** datetime is taken to be UTC, because that is how this project stores time (USE_TZ); it is never read
as server-local time. A `datetime.date` is a calendar day and is converted as it is, without any zone.

The other direction, reading what a person typed in any digits, is `helpdesk.persian` (`clean_digits`,
`parse_int`) and `helpdesk.jalali` (dates).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

import jdatetime
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .persian import (
    LATIN_DIGITS,
    PERSIAN_DECIMAL_SEPARATOR,
    PERSIAN_DIGITS,
    PERSIAN_THOUSANDS_SEPARATOR,
    to_latin_digits,
    to_persian_digits,
)

TEHRAN = ZoneInfo("Asia/Tehran")

MONTH_NAMES = (
    _("Farvardin"),
    _("Ordibehesht"),
    _("Khordad"),
    _("Tir"),
    _("Mordad"),
    _("Shahrivar"),
    _("Mehr"),
    _("Aban"),
    _("Azar"),
    _("Dey"),
    _("Bahman"),
    _("Esfand"),
)

# A number written with Latin digits, «,» and «.» → Persian digits, «٬» and «٫».
_PERSIAN_NUMBER = str.maketrans(
    LATIN_DIGITS + ",.", PERSIAN_DIGITS + PERSIAN_THOUSANDS_SEPARATOR + PERSIAN_DECIMAL_SEPARATOR
)


def use_persian_digits() -> bool:
    """Persian digits, punctuation and the Jalali calendar: for Persian (`fa`, `fa-ir`) and when no language
    is active (Persian is the site's default)."""
    language = get_language()
    return language is None or language.split("-")[0].lower() == "fa"


# Digits, numbers and lists -------------------------------------------------------------------


def digits(value: object) -> str:
    """`value` as text in the active language's digits: Persian on Persian pages, Latin otherwise (Persian
    and Arabic-Indic digits become Latin). Nothing else changes."""
    return digits_function()(value)


def digits_function() -> Callable[[object], str]:
    """`digits` for the language active now: a loop over a page's rows asks the language once, not once a row."""
    return to_persian_digits if use_persian_digits() else to_latin_digits


# In HTML: what keeps its digits (a tag with its attributes, a character reference, the contents of a script, style or
# textarea: code and a form's values) and what is written as it is (an email or web address, a colour code such as
# #DC3545); else a run of digits.
_HTML_KEPT_OR_DIGITS = re.compile(
    r"(<(script|style|textarea)\b.*?</\2\s*>|<[^>]*>|&#?\w+;|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://[^\s<\"']+"
    r"|#[0-9A-Fa-f]{6}(?![0-9A-Za-z]))"
    r"|([0-9\u0660-\u0669\u06f0-\u06f9]+)",
    re.DOTALL | re.IGNORECASE,
)


def digits_in_html(html: str) -> str:
    """HTML with the active language's digits in its text: markup, character references, scripts, styles,
    textareas (a form's values go back as they are), email and web addresses and colour codes keep theirs."""
    return _HTML_KEPT_OR_DIGITS.sub(lambda m: m.group(1) or digits(m.group(3)), html)


def format_number(value: int | Decimal | float, *, grouping: bool = True) -> str:
    """A number for people: «۱۲٬۳۴۵٬۶۷۸» and «۱۲۳٫۵» on Persian pages, «12,345,678» and «123.5» otherwise.

    `grouping=False` leaves out the thousands separators (years, sizes: «۱۴۰۴»). A Decimal keeps its places
    («۹٫۵۰») and is never written with an exponent (`Decimal("1E+1")` → «۱۰»).
    """
    if isinstance(value, Decimal):
        text = f"{value:,f}" if grouping else f"{value:f}"
    else:
        text = f"{value:,}" if grouping else str(value)
    return text.translate(_PERSIAN_NUMBER) if use_persian_digits() else text


_KB = 1024


def format_file_size(size: int) -> str:
    """A file's size for people, the one formatter for every size shown: «۳٫۰ مگابایت», «۲۰۰٫۰ کیلوبایت»,
    «۵۱۲ بایت» on Persian pages (Persian unit and decimal separator), «3.0 MB» otherwise."""
    size = max(int(size), 0)
    if size < _KB:
        return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": format_number(size, grouping=False)}
    value, unit = size / _KB, "KB"
    for larger in ("MB", "GB"):
        if value < _KB:
            break
        value, unit = value / _KB, larger
    number = format_number(Decimal(f"{value:.1f}"))
    texts = {"KB": gettext("%(size)s KB"), "MB": gettext("%(size)s MB"), "GB": gettext("%(size)s GB")}
    return texts[unit] % {"size": number}


def format_percent(value: int | Decimal | float) -> str:
    """A percentage: «۱۰٪» on Persian pages (the Persian percent sign, no space), «10%» otherwise."""
    return format_number(value) + ("٪" if use_persian_digits() else "%")


def isolate(text: object) -> str:
    """User text (a name, a file name, a subject, a number) inside a sentence built in Python, isolated from the
    sentence's direction (Unicode FSI … PDI, the plain-text `<bdi>`): «big.txt» in a Persian message stays whole."""
    return f"\u2068{text}\u2069"


def join_list(items: Iterable[str]) -> str:
    """«pdf، png» on Persian pages, «pdf, png» otherwise."""
    return ("، " if use_persian_digits() else ", ").join(items)


# Moments and Jalali dates --------------------------------------------------------------------


def to_tehran(value: dt.datetime) -> dt.datetime:
    """An aware datetime in Asia/Tehran; a naive one is taken to be UTC (see the module docstring)."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(TEHRAN)


def to_jalali_date(value: dt.date | dt.datetime) -> jdatetime.date:
    """The Jalali date of a calendar day, or of a moment as seen in Tehran."""
    if isinstance(value, dt.datetime):
        value = to_tehran(value).date()
    return jdatetime.date.fromgregorian(date=value)


@functools.lru_cache(maxsize=4096)
def _jalali_ymd(day: dt.date) -> tuple[int, int, int]:
    """(year, month, day) of a calendar day in the Jalali calendar, remembered: the dates of a page (a queue's
    rows) fall on a few days, and the conversion is most of formatting one."""
    jdate = jdatetime.date.fromgregorian(date=day)
    return jdate.year, jdate.month, jdate.day


def month_name(jmonth: int) -> str:
    """A Jalali month's name in the active language (فروردین / Farvardin)."""
    return str(MONTH_NAMES[jmonth - 1])


# Formatting dates ----------------------------------------------------------------------------


def format_jalali_date(value: dt.date | dt.datetime, *, long: bool = False) -> str:
    """The Jalali date of a day, or of a moment in Tehran, in the active language's digits: «۱۴۰۳/۱۲/۳۰» or
    «1403/12/30»; `long=True` names the month: «۳۰ اسفند ۱۴۰۳» or «30 Esfand 1403»."""
    year, month, day = _jalali_ymd(to_tehran(value).date() if isinstance(value, dt.datetime) else value)
    if long:
        return digits(f"{day} {month_name(month)} {year}")
    return digits(f"{year:04d}/{month:02d}/{day:02d}")


def _jalali_minute(value: dt.datetime) -> str:
    """A moment in Tehran to the minute, Jalali, in Latin digits: «1403/12/30 14:05»."""
    local = to_tehran(value)
    year, month, day = _jalali_ymd(local.date())
    return f"{year:04d}/{month:02d}/{day:02d} {local.hour:02d}:{local.minute:02d}"


def format_jalali_datetime(value: dt.datetime) -> str:
    """A moment in Tehran to the minute, Jalali, in the active language's digits: «۱۴۰۳/۱۲/۳۰ ۱۴:۰۵»."""
    return digits(_jalali_minute(value))


def format_date(value: dt.date | dt.datetime, *, long: bool = False) -> str:
    """A day (or a moment's day in Tehran) in the active language's calendar: Jalali with Persian digits on
    Persian pages («۱۴۰۳/۱۲/۳۰», long «۳۰ اسفند ۱۴۰۳»), else Gregorian («2025-03-20», long «20 March 2025»)."""
    if use_persian_digits():
        return format_jalali_date(value, long=long)
    day = to_tehran(value).date() if isinstance(value, dt.datetime) else value
    return dateformat.format(day, "j F Y") if long else day.isoformat()


def format_datetime(value: dt.datetime) -> str:
    """A moment in Tehran to the minute in the active language's calendar: «۱۴۰۳/۱۲/۳۰ ۱۴:۰۵» on Persian pages,
    else «2025-03-20 14:05»."""
    return format_datetime_function()(value)


def _persian_datetime(value: dt.datetime) -> str:
    return to_persian_digits(_jalali_minute(value))


def _gregorian_datetime(value: dt.datetime) -> str:
    return to_tehran(value).strftime("%Y-%m-%d %H:%M")


def format_datetime_function() -> Callable[[dt.datetime], str]:
    """`format_datetime` for the language active now (see `digits_function`)."""
    return _persian_datetime if use_persian_digits() else _gregorian_datetime

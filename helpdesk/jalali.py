"""Jalali (Solar Hijri) calendar helpers on `jdatetime`, in the Asia/Tehran time zone.

Times are stored in UTC and shown in Tehran, so a moment's Jalali *date* depends on the zone:
2025-03-20 21:00 UTC is already 1404/01/01 (Nowruz) in Tehran. Every helper that takes a datetime
converts it to Tehran first. A **naive** datetime is taken to be UTC, because that is how this project
stores time (USE_TZ); it is never read as server-local time. A `datetime.date` is a calendar day and
is converted as it is, without any zone.

Leap years follow jdatetime's 33-year arithmetic (year mod 33 ∈ {1, 5, 9, 13, 17, 22, 26, 30}), which
matches the official calendar for 1395–1420 (1399, 1403, 1408 leap; 1400, 1404 not); the tests pin it.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import jdatetime
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .persian import to_latin_digits, to_persian_digits

TEHRAN = ZoneInfo("Asia/Tehran")

# Years a person plausibly means (Gregorian 1821–2221). A Gregorian year typed by mistake
# (2025/03/20) falls outside and gets a clear message instead of a date six centuries ahead.
MIN_YEAR = 1200
MAX_YEAR = 1599

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

MSG_FORMAT = _("Enter a Jalali date as year/month/day, e.g. 1403/12/30.")
MSG_DATETIME_FORMAT = _("Enter a Jalali date and time as year/month/day hour:minute, e.g. 1403/12/30 14:05.")
MSG_YEAR = _("Enter a Jalali (solar hijri) year between %(min)s and %(max)s, e.g. 1403/12/30.")
MSG_MONTH = _("The month must be between 1 and 12.")
MSG_DAY = _("%(month)s %(year)s has %(days)s days; there is no day %(day)s.")
MSG_TIME = _("Enter a valid time between 00:00 and 23:59.")

# Separators people type between the parts of a date: / - . and the Persian decimal separator «٫»
# (the key next to the digits on Persian keyboards) and backslash.
_DATE = re.compile(r"(\d{4})\s*[/\-.\\\u066b]\s*(\d{1,2})\s*[/\-.\\\u066b]\s*(\d{1,2})")
_TIME = re.compile(r"(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?")
# Bidi and joiner marks that ride along when a date is copied from a Persian page.
_INVISIBLE = re.compile("[\u200c-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class JalaliDateError(ValueError):
    """An invalid Jalali date; `message` is translated and ready for a form error, `code` is stable."""

    def __init__(self, message: Promise | str, code: str, params: dict[str, object] | None = None):
        self.message = message
        self.code = code
        self.params = params or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def _number(value: int) -> str:
    """A number for a message in the active language's digits."""
    return to_persian_digits(value) if uses_persian_digits(get_language()) else str(value)


def uses_persian_digits(language: str | None) -> bool:
    """Persian digits and the Jalali calendar for Persian (and when no language is active)."""
    return language is None or language.split("-")[0].lower() == "fa"


# Calendar arithmetic -------------------------------------------------------------------------


def is_leap(jyear: int) -> bool:
    """Whether a Jalali year has 366 days (Esfand 30 exists)."""
    return jdatetime.date(jyear, 1, 1).isleap()


def month_length(jyear: int, jmonth: int) -> int:
    """Days in a Jalali month: 31 for the first six, 30 for the next five, Esfand 29 or 30."""
    if not 1 <= jmonth <= 12:
        raise JalaliDateError(MSG_MONTH, "invalid_month")
    if jmonth <= 6:
        return 31
    if jmonth <= 11:
        return 30
    return 30 if is_leap(jyear) else 29


def month_name(jmonth: int) -> str:
    """The month's name in the active language (فروردین / Farvardin)."""
    return str(MONTH_NAMES[jmonth - 1])


def to_gregorian(jyear: int, jmonth: int, jday: int) -> dt.date:
    """Jalali year/month/day → Gregorian `datetime.date`; JalaliDateError for a day that does not exist."""
    days = month_length(jyear, jmonth)
    if not 1 <= jday <= days:
        raise JalaliDateError(
            MSG_DAY,
            "invalid_day",
            {"month": month_name(jmonth), "year": _number(jyear), "days": _number(days), "day": _number(jday)},
        )
    return jdatetime.date(jyear, jmonth, jday).togregorian()


def month_last_day(jyear: int, jmonth: int) -> dt.date:
    """The Gregorian date of the last day of a Jalali month (1403/12 → 2025-03-20)."""
    return to_gregorian(jyear, jmonth, month_length(jyear, jmonth))


def month_range(jyear: int, jmonth: int) -> tuple[dt.date, dt.date]:
    """First and last Gregorian dates of a Jalali month, both inclusive."""
    return to_gregorian(jyear, jmonth, 1), month_last_day(jyear, jmonth)


# Moments and dates ---------------------------------------------------------------------------


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


def to_jalali_datetime(value: dt.datetime) -> jdatetime.datetime:
    """A moment as a Jalali datetime in Tehran (aware, tzinfo Asia/Tehran)."""
    return jdatetime.datetime.fromgregorian(datetime=to_tehran(value))


def today() -> jdatetime.date:
    """Today's Jalali date in Tehran (follows `timezone.now()`, so time_machine moves it)."""
    return to_jalali_date(timezone.now())


# Formatting ----------------------------------------------------------------------------------


def format_date(value: dt.date | dt.datetime, *, persian_digits: bool = True) -> str:
    """`1403/12/30` (or `۱۴۰۳/۱۲/۳۰`): the Jalali date of a day, or of a moment in Tehran."""
    jdate = to_jalali_date(value)
    text = f"{jdate.year:04d}/{jdate.month:02d}/{jdate.day:02d}"
    return to_persian_digits(text) if persian_digits else text


def format_datetime(value: dt.datetime, *, persian_digits: bool = True) -> str:
    """`1403/12/30 14:05` (or with Persian digits): a moment in Tehran, to the minute."""
    local = to_jalali_datetime(value)
    text = f"{local.year:04d}/{local.month:02d}/{local.day:02d} {local.hour:02d}:{local.minute:02d}"
    return to_persian_digits(text) if persian_digits else text


def format_long_date(value: dt.date | dt.datetime, *, persian_digits: bool = True) -> str:
    """`۳۰ اسفند ۱۴۰۳`: day, month name (in the active language) and year."""
    jdate = to_jalali_date(value)
    text = f"{jdate.day} {month_name(jdate.month)} {jdate.year}"
    return to_persian_digits(text) if persian_digits else text


# Parsing -------------------------------------------------------------------------------------


def _clean(text: object) -> str:
    return to_latin_digits(_INVISIBLE.sub("", str(text))).strip()


def _checked_year(jyear: int) -> int:
    if not MIN_YEAR <= jyear <= MAX_YEAR:
        raise JalaliDateError(MSG_YEAR, "invalid_year", {"min": _number(MIN_YEAR), "max": _number(MAX_YEAR)})
    return jyear


def parse_jalali_date(text: object) -> dt.date:
    """`1403/12/30`, `۱۴۰۳/۱۲/۳۰`, `١٤٠٣-١٢-٣٠`, `1403/1/5` → the Gregorian `datetime.date`.

    Raises JalaliDateError (with a translated message) for anything else: wrong shape, a year outside
    MIN_YEAR..MAX_YEAR (which catches Gregorian dates typed by mistake), month 13, 1404/12/30 …
    """
    match = _DATE.fullmatch(_clean(text))
    if not match:
        raise JalaliDateError(MSG_FORMAT, "invalid")
    year, month, day = (int(part) for part in match.groups())
    return to_gregorian(_checked_year(year), month, day)


def parse_jalali_datetime(text: object) -> dt.datetime:
    """`1403/12/30 14:05` (seconds optional, any digits) in Tehran time → an aware datetime (Asia/Tehran)."""
    cleaned = _clean(text)
    parts = cleaned.split(None, 1)
    if len(parts) != 2:
        raise JalaliDateError(MSG_DATETIME_FORMAT, "invalid")
    day_part, time_part = parts
    if not _DATE.fullmatch(day_part):
        raise JalaliDateError(MSG_DATETIME_FORMAT, "invalid")
    time_match = _TIME.fullmatch(time_part.strip())
    if not time_match:
        raise JalaliDateError(MSG_DATETIME_FORMAT, "invalid")
    day = parse_jalali_date(day_part)
    hour, minute, second = (int(part or 0) for part in time_match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise JalaliDateError(MSG_TIME, "invalid_time")
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=TEHRAN)

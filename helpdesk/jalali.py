"""The Jalali (Solar Hijri) calendar on `jdatetime`: month lengths and leap years, Jalali → Gregorian, and
reading dates people type (any digits, `/ - .` separators) with translated errors.

Showing dates (Tehran time, the active language's digits and calendar) is `helpdesk.l10n`.

Leap years follow jdatetime's 33-year arithmetic (year mod 33 ∈ {1, 5, 9, 13, 17, 22, 26, 30}), which
matches the official calendar for 1395–1420 (1399, 1403, 1408 leap; 1400, 1404 not); the tests pin it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import jdatetime
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .l10n import TEHRAN, digits, month_name, to_jalali_date
from .persian import to_latin_digits

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# Years a person plausibly means (Gregorian 1821–2221). A Gregorian year typed by mistake
# (2025/03/20) falls outside and gets a clear message instead of a date six centuries ahead.
MIN_YEAR = 1200
MAX_YEAR = 1599

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

    def __init__(self, message: StrPromise | str, code: str, params: dict[str, object] | None = None):
        self.message = message
        self.code = code
        self.params = params or {}
        super().__init__(str(self))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


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


def to_gregorian(jyear: int, jmonth: int, jday: int) -> dt.date:
    """Jalali year/month/day → Gregorian `datetime.date`; JalaliDateError for a day that does not exist."""
    days = month_length(jyear, jmonth)
    if not 1 <= jday <= days:
        raise JalaliDateError(
            MSG_DAY,
            "invalid_day",
            {"month": month_name(jmonth), "year": digits(jyear), "days": digits(days), "day": digits(jday)},
        )
    return jdatetime.date(jyear, jmonth, jday).togregorian()


def month_last_day(jyear: int, jmonth: int) -> dt.date:
    """The Gregorian date of the last day of a Jalali month (1403/12 → 2025-03-20)."""
    return to_gregorian(jyear, jmonth, month_length(jyear, jmonth))


def month_range(jyear: int, jmonth: int) -> tuple[dt.date, dt.date]:
    """First and last Gregorian dates of a Jalali month, both inclusive."""
    return to_gregorian(jyear, jmonth, 1), month_last_day(jyear, jmonth)


# Today ---------------------------------------------------------------------------------------


def today() -> jdatetime.date:
    """Today's Jalali date in Tehran (follows `timezone.now()`, so time_machine moves it)."""
    return to_jalali_date(timezone.now())


# Parsing -------------------------------------------------------------------------------------


def _clean(text: object) -> str:
    return to_latin_digits(_INVISIBLE.sub("", str(text))).strip()


def _checked_year(jyear: int) -> int:
    if not MIN_YEAR <= jyear <= MAX_YEAR:
        raise JalaliDateError(MSG_YEAR, "invalid_year", {"min": digits(MIN_YEAR), "max": digits(MAX_YEAR)})
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

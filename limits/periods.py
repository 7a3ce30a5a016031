"""Tax periods: Jalali seasons and their deadlines in Asia/Tehran.

A period is (Jalali year, quarter). Q1 = 1/01–3/31, Q2 = 4/01–6/31, Q3 = 7/01–9/30, Q4 = 10/01–12/29, or 12/30 in a
leap year (1399, 1403, 1408 …; `jdatetime` follows the same 33-year arithmetic). A period ends at 23:59:59 Asia/Tehran
on its last day: the instant 00:00 of the next day already belongs to the next period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jdatetime
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.jalali import is_leap
from helpdesk.l10n import TEHRAN, to_jalali_date

__all__ = ["TEHRAN", "Period", "is_leap", "period_starting_tomorrow"]

QUARTER_NAMES = {
    1: _("spring"),
    2: _("summer"),
    3: _("autumn"),
    4: _("winter"),
}
# (first month, last month, last day of the last month in an ordinary year)
_QUARTER_MONTHS = {1: (1, 3, 31), 2: (4, 6, 31), 3: (7, 9, 30), 4: (10, 12, 29)}

MIN_YEAR = 1300
MAX_YEAR = 1500


@dataclass(frozen=True, order=True)
class Period:
    """One tax period: a Jalali season."""

    year: int
    quarter: int

    def __post_init__(self):
        if not isinstance(self.year, int) or not isinstance(self.quarter, int):
            raise TypeError("year and quarter must be integers")
        if self.quarter not in _QUARTER_MONTHS:
            raise ValueError(f"quarter must be 1–4, not {self.quarter}")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year {self.year} is outside {MIN_YEAR}–{MAX_YEAR}")

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    # Calendar days (Jalali)
    @property
    def first_day(self) -> jdatetime.date:
        return jdatetime.date(self.year, _QUARTER_MONTHS[self.quarter][0], 1)

    @property
    def last_day(self) -> jdatetime.date:
        _first, month, day = _QUARTER_MONTHS[self.quarter]
        if self.quarter == 4 and is_leap(self.year):
            day = 30
        return jdatetime.date(self.year, month, day)

    # Instants (aware datetimes)
    @property
    def starts_at(self) -> dt.datetime:
        """00:00:00 Asia/Tehran on the first day."""
        return dt.datetime.combine(self.first_day.togregorian(), dt.time.min, tzinfo=TEHRAN)

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant *after* the period: 00:00 Asia/Tehran on the day after the last day (exclusive)."""
        return self.next().starts_at

    @property
    def deadline(self) -> dt.datetime:
        """23:59:59 Asia/Tehran on the last day — the last whole second in which the period is open."""
        return dt.datetime.combine(self.last_day.togregorian(), dt.time(23, 59, 59), tzinfo=TEHRAN)

    def contains(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def has_ended(self, now: dt.datetime | None = None) -> bool:
        """True from 00:00 Asia/Tehran of the day after the last day (23:59:59.999 is still open)."""
        return (now or timezone.now()) >= self.ends_at

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole calendar days (Tehran) after today until the last day; 0 on the last day, -1 once ended."""
        now = now or timezone.now()
        if self.has_ended(now):
            return -1
        today = now.astimezone(TEHRAN).date()
        return max((self.last_day.togregorian() - today).days, 0)

    # Neighbours
    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.quarter == 4 else Period(self.year, self.quarter + 1)

    def previous(self) -> Period:
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def same_period_last_year(self) -> Period:
        """دوره مشابه سال قبل: the season whose figures the initial ceiling is based on."""
        return Period(self.year - 1, self.quarter)

    @property
    def season_name(self) -> str:
        return str(QUARTER_NAMES[self.quarter])

    @property
    def label(self) -> str:
        """A short human label, e.g. «تابستان 1404» (translated season name; digits left to `pdigits`)."""
        return f"{self.season_name} {self.year}"

    @classmethod
    def containing(cls, moment: dt.datetime | dt.date | None = None) -> Period:
        """The period that contains an instant (in Tehran time) or a Gregorian date."""
        if moment is None:
            moment = timezone.now()
        if isinstance(moment, dt.datetime) and timezone.is_naive(moment):
            raise ValueError("naive datetime")
        jdate = to_jalali_date(moment)  # a moment is read in Tehran time
        return cls(jdate.year, (jdate.month - 1) // 3 + 1)

    @classmethod
    def current(cls, now: dt.datetime | None = None) -> Period:
        return cls.containing(now or timezone.now())


def period_starting_tomorrow(now: dt.datetime | None = None) -> Period | None:
    """The period whose first day is tomorrow in Tehran, if any (the day the initial ceilings are computed)."""
    today = (now or timezone.now()).astimezone(TEHRAN).date()
    tomorrow = today + dt.timedelta(days=1)
    period = Period.containing(tomorrow)
    return period if period.first_day.togregorian() == tomorrow else None

"""Jalali periods for the reports: the presets of the date filter, and the buckets of a chart (day, week from
Saturday, Jalali month, season) built from daily rows in Python — at most a few hundred rows however many tickets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import jdatetime
from django.utils.translation import gettext_lazy as _

from helpdesk import jalali
from helpdesk.l10n import TEHRAN, format_jalali_date, month_name
from helpdesk.l10n import digits as local_digits

TODAY, WEEK, MONTH, LAST_30, SEASON, YEAR, CUSTOM = "today", "week", "month", "last30", "season", "year", "custom"
PRESETS = [
    (TODAY, _("Today")),
    (WEEK, _("This week (from Saturday)")),
    (MONTH, _("This Jalali month")),
    (LAST_30, _("The last 30 days")),
    (SEASON, _("This season")),
    (YEAR, _("This Jalali year")),
    (CUSTOM, _("Dates below")),
]
DEFAULT_PRESET = LAST_30

DAY, BY_WEEK, BY_MONTH, BY_SEASON = "day", "week", "month", "season"
BUCKETS = [(DAY, _("Day")), (BY_WEEK, _("Week")), (BY_MONTH, _("Jalali month")), (BY_SEASON, _("Season"))]
SEASON_NAMES = (_("Spring"), _("Summer"), _("Autumn"), _("Winter"))
SATURDAY = 5  # Python's weekday number


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a preset, both inclusive, ending today (Tehran)."""
    jtoday = jdatetime.date.fromgregorian(date=today)
    if preset == TODAY:
        return today, today
    if preset == WEEK:
        return today - dt.timedelta(days=(today.weekday() - SATURDAY) % 7), today
    if preset == MONTH:
        return jalali.to_gregorian(jtoday.year, jtoday.month, 1), today
    if preset == SEASON:
        return jalali.to_gregorian(jtoday.year, (jtoday.month - 1) // 3 * 3 + 1, 1), today
    if preset == YEAR:
        return jalali.to_gregorian(jtoday.year, 1, 1), today
    return today - dt.timedelta(days=29), today


def auto_bucket(days: int) -> str:
    if days <= 31:
        return DAY
    if days <= 120:
        return BY_WEEK
    return BY_MONTH


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of `first`, start of the day after `last`) in Tehran, as aware datetimes."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=TEHRAN)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TEHRAN)
    return start, end


def _key(day: dt.date, by: str) -> tuple:
    if by == DAY:
        return (day,)
    if by == BY_WEEK:
        return (day - dt.timedelta(days=(day.weekday() - SATURDAY) % 7),)
    jday = jdatetime.date.fromgregorian(date=day)
    if by == BY_MONTH:
        return (jday.year, jday.month)
    return (jday.year, (jday.month - 1) // 3 + 1)


def _label(key: tuple, by: str) -> str:
    if by == DAY:
        return format_jalali_date(key[0])
    if by == BY_WEEK:
        return str(_("week of %(day)s")) % {"day": format_jalali_date(key[0])}
    if by == BY_MONTH:
        return local_digits(f"{month_name(key[1])} {key[0]}")
    return local_digits(f"{SEASON_NAMES[key[1] - 1]} {key[0]}")


@dataclass(frozen=True)
class Buckets:
    """The buckets between two days (inclusive) and which bucket each day falls in."""

    first: dt.date
    last: dt.date
    by: str

    @cached_property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @cached_property
    def key_of(self) -> dict[dt.date, tuple]:
        """Each day's bucket (the Jalali calendar is read once per day of the range, not once per value)."""
        return {day: _key(day, self.by) for day in self.days}

    @cached_property
    def keys(self) -> list[tuple]:
        return list(dict.fromkeys(self.key_of.values()))

    @property
    def labels(self) -> list[str]:
        return [_label(key, self.by) for key in self.keys]

    def sums(self, daily: Mapping[dt.date, float]) -> list[float]:
        """Per bucket, the sum of the daily values (missing days count 0, days outside the range none)."""
        totals: dict[tuple, float] = dict.fromkeys(self.keys, 0)
        for day, value in daily.items():
            key = self.key_of.get(day)
            if key is not None and value:
                totals[key] += value
        return list(totals.values())

    def last_values(self, daily: Mapping[dt.date, float]) -> list[float]:
        """Per bucket, the value of its last day (a level such as the backlog, not a flow)."""
        values: dict[tuple, float] = {}
        for day, key in self.key_of.items():
            values[key] = daily.get(day, 0)
        return [values[key] for key in self.keys]


def cumulative(start_value: int, days: Iterable[dt.date], changes: Mapping[dt.date, int]) -> dict[dt.date, int]:
    """A level at the end of each day: `start_value` plus the running sum of the daily changes."""
    level, levels = start_value, {}
    for day in days:
        level += changes.get(day, 0)
        levels[day] = level
    return levels

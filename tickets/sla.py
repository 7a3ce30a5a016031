"""SLA arithmetic (F14, B4): business time on a Jalali business calendar, and policy lookup.

The arithmetic is pure: a `Calendar` (working hours per weekday, holidays, time zone) and functions that add
business seconds to a moment or measure the business seconds between two moments. Targets are business
minutes; pauses are measured in business seconds so the clock resumes exactly where it stopped.

A ticket's SLA moments are all derived from one formula, so a recomputation (priority change, resume after a
pause) gives the same answer as shifting:

    due = add_business(calendar, created_at, target + paused business time)

The database side (loading the calendar, the policy for a ticket) is at the end of the module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

TEHRAN = ZoneInfo("Asia/Tehran")

# Python weekdays: Monday=0 … Sunday=6. The Iranian week starts on Saturday (5).
SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = 5, 6, 0, 1, 2, 3, 4
WEEK_ORDER = (SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY)

_FULL_DAY = (dt.time(8, 0), dt.time(16, 0))
DEFAULT_HOURS: dict[int, tuple[dt.time, dt.time] | None] = {
    SATURDAY: _FULL_DAY,
    SUNDAY: _FULL_DAY,
    MONDAY: _FULL_DAY,
    TUESDAY: _FULL_DAY,
    WEDNESDAY: _FULL_DAY,
    THURSDAY: (dt.time(8, 0), dt.time(12, 0)),
    FRIDAY: None,
}

# How far the arithmetic looks ahead before deciding the calendar has no working time at all.
MAX_DAYS = 3 * 366


class NoBusinessTime(ValueError):
    """The calendar has no working hours within MAX_DAYS (every day off)."""


@dataclass(frozen=True)
class Calendar:
    """Working hours per Python weekday (None: day off), holidays (Gregorian dates, local) and the time zone."""

    hours: Mapping[int, tuple[dt.time, dt.time] | None] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: frozenset[dt.date] = frozenset()
    tz: ZoneInfo = TEHRAN

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working period of a local calendar day as aware datetimes, or None on a day off."""
        if day in self.holidays:
            return None
        hours = self.hours.get(day.weekday())
        if not hours or hours[1] <= hours[0]:
            return None
        opens, closes = hours
        return dt.datetime.combine(day, opens, tzinfo=self.tz), dt.datetime.combine(day, closes, tzinfo=self.tz)


def _local(calendar: Calendar, moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("SLA arithmetic needs aware datetimes.")
    return moment.astimezone(calendar.tz)


def add_business_seconds(calendar: Calendar, start: dt.datetime, seconds: float) -> dt.datetime:
    """The moment `seconds` of working time after `start` (which may be outside working hours).

    A period that ends exactly at closing time ends at closing time (not the next morning). The result is in
    the calendar's time zone. Raises NoBusinessTime if the calendar has no working time ahead.
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    cursor = _local(calendar, start)
    if seconds == 0:
        return cursor
    remaining = dt.timedelta(seconds=seconds)
    day = cursor.date()
    for _ in range(MAX_DAYS):
        window = calendar.window(day)
        if window is not None:
            opens, closes = window
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += dt.timedelta(days=1)
    raise NoBusinessTime("The business calendar has no working hours.")


def add_business_minutes(calendar: Calendar, start: dt.datetime, minutes: float) -> dt.datetime:
    return add_business_seconds(calendar, start, minutes * 60)


def business_seconds_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> int:
    """Working seconds in [start, end) (0 when end <= start)."""
    start, end = _local(calendar, start), _local(calendar, end)
    if end <= start:
        return 0
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        window = calendar.window(day)
        if window is not None:
            begin, finish = max(start, window[0]), min(end, window[1])
            if finish > begin:
                total += finish - begin
        day += dt.timedelta(days=1)
    return int(total.total_seconds())


@dataclass(frozen=True)
class Targets:
    """What a policy asks for, in business minutes. `warn_percent`: when the warning goes out;
    `level2_percent`: when level-2 escalation happens (150 = the target plus half of it again)."""

    first_response_minutes: int | None
    resolution_minutes: int | None
    warn_percent: int = 80
    level2_percent: int = 150


@dataclass(frozen=True)
class Moments:
    first_response_due: dt.datetime | None
    first_response_warn_at: dt.datetime | None
    first_response_level2_at: dt.datetime | None
    resolution_due: dt.datetime | None
    resolution_warn_at: dt.datetime | None
    resolution_level2_at: dt.datetime | None


def compute_moments(calendar: Calendar, *, start: dt.datetime, paused_seconds: int, targets: Targets) -> Moments:
    """Due, warning and level-2 moments of both targets, counted from `start` with `paused_seconds` of
    business time added (the time the clock stood still)."""

    def at(minutes: int | None, percent: int) -> dt.datetime | None:
        if minutes is None:
            return None
        return add_business_seconds(calendar, start, paused_seconds + minutes * 60 * percent / 100)

    fr, res = targets.first_response_minutes, targets.resolution_minutes
    return Moments(
        first_response_due=at(fr, 100),
        first_response_warn_at=at(fr, targets.warn_percent),
        first_response_level2_at=at(fr, targets.level2_percent),
        resolution_due=at(res, 100),
        resolution_warn_at=at(res, targets.warn_percent),
        resolution_level2_at=at(res, targets.level2_percent),
    )


def time_left(due: dt.datetime | None, now: dt.datetime | None = None) -> dt.timedelta | None:
    """Wall-clock time until `due` (negative when overdue), or None without a due time."""
    if due is None:
        return None
    return due - (now or timezone.now())


def ticket_time_left(ticket, now: dt.datetime | None = None) -> dt.timedelta | None:
    """Time left until the ticket's next SLA due time (first response while unanswered, else resolution).
    None when the ticket is finished, paused or has no due time — the queue shows no countdown then."""
    if not ticket.is_active or getattr(ticket, "sla_paused_at", None) is not None:
        return None
    due = next_due(ticket)
    return time_left(due, now)


def next_due(ticket) -> dt.datetime | None:
    """The due time that matters now: the first response while unanswered (if earlier), else the resolution."""
    dues = [ticket.resolution_due]
    if ticket.first_response_at is None:
        dues.append(ticket.first_response_due)
    dues = [d for d in dues if d is not None]
    return min(dues) if dues else None


def is_overdue(ticket, now: dt.datetime | None = None) -> bool:
    left = ticket_time_left(ticket, now)
    return left is not None and left <= dt.timedelta(0)


# --- the database side -----------------------------------------------------------------------------------------


def hours_from_rows(rows: Iterable) -> dict[int, tuple[dt.time, dt.time] | None]:
    """Working hours from `BusinessHours` rows; the default calendar when there are none. A weekday without a
    row is a day off once any row exists."""
    rows = list(rows)
    if not rows:
        return dict(DEFAULT_HOURS)
    hours: dict[int, tuple[dt.time, dt.time] | None] = dict.fromkeys(WEEK_ORDER)
    for row in rows:
        hours[row.weekday] = (row.opens_at, row.closes_at) if row.is_working else None
    return hours


def load_calendar() -> Calendar:
    """The business calendar as configured in the admin (two small queries)."""
    from .models import BusinessHours, Holiday

    return Calendar(
        hours=hours_from_rows(BusinessHours.objects.all()),
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


def policy_for(*, priority_id: int | None, department_id: int | None, type_id: int | None):
    """The active `SLAPolicy` for these attributes, the most specific match first: department and type, then
    department only, then type only, then the priority alone. None when nothing matches."""
    from django.db.models import Q

    from .models import SLAPolicy

    if priority_id is None:
        return None
    candidates = SLAPolicy.objects.filter(
        Q(department_id=department_id) | Q(department__isnull=True),
        Q(type_id=type_id) | Q(type__isnull=True),
        priority_id=priority_id,
        is_active=True,
    )

    def rank(policy) -> tuple[int, int]:
        return (policy.department_id is not None) * 2 + (policy.type_id is not None), -policy.pk

    return max(candidates, key=rank, default=None)

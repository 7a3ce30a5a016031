"""Business-time arithmetic on the Jalali business calendar (pure functions, no database).

Week used throughout (Tehran, UTC+03:30 all year): Mon 2026-11-23 (۱۴۰۵/۰۹/۰۲) … Thu 26 (half day),
Fri 27 (off), Sat 28 (۱۴۰۵/۰۹/۰۷), Sun 29 (۱۴۰۵/۰۹/۰۸).
"""

import datetime as dt

import pytest

from helpdesk.jalali import parse_jalali_date
from tickets import sla
from tickets.sla import Calendar, Targets, add_business_minutes, business_seconds_between

T = sla.TEHRAN
CAL = Calendar()


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=T)


@pytest.mark.parametrize(
    ("start", "minutes", "expected", "why"),
    [
        (at(23, 10), 120, at(23, 12), "inside working hours"),
        (at(23, 6), 60, at(23, 9), "before opening: the clock starts at 08:00"),
        (at(23, 17), 60, at(24, 9), "after closing: the next morning"),
        (at(23, 15), 60, at(23, 16), "ending exactly at closing time stays on that day"),
        (at(23, 16), 1, at(24, 8, 1), "starting at closing time"),
        (at(25, 15), 240, at(26, 11), "Wednesday into the Thursday half-day"),
        (at(26, 11), 120, at(28, 9), "across the Thursday half-day and the Friday"),
        (at(25, 15), 360, at(28, 9), "Wednesday → Thursday (4 h) → Friday off → Saturday"),
        (at(27, 10), 30, at(28, 8, 30), "filed on a Friday"),
        (at(26, 13), 30, at(28, 8, 30), "filed on Thursday afternoon"),
        (at(28, 8), 5 * 480, at(2, 16, month=12), "five full days: Saturday to Wednesday"),
        (at(28, 8), 5 * 480 + 240 + 1, at(5, 8, 1, month=12), "a full week: Sat–Wed, Thursday, Friday off"),
        (at(23, 10), 0, at(23, 10), "nothing to add"),
    ],
)
def test_add_business_minutes(start, minutes, expected, why):
    assert add_business_minutes(CAL, start, minutes) == expected, why


def test_jalali_holiday_is_skipped():
    holiday = parse_jalali_date("۱۴۰۵/۰۹/۰۷")  # Saturday 2026-11-28
    cal = Calendar(holidays=frozenset({holiday}))
    # Thursday 11:00 + 2 h: 1 h on Thursday, Friday off, Saturday a holiday, 1 h on Sunday.
    assert add_business_minutes(cal, at(26, 11), 120) == at(29, 9)
    assert business_seconds_between(cal, at(26, 11), at(29, 9)) == 2 * 3600


def test_consecutive_holidays_and_friday():
    cal = Calendar(holidays=frozenset({parse_jalali_date("1405/09/07"), parse_jalali_date("1405/09/08")}))
    assert add_business_minutes(cal, at(27, 9), 60) == at(30, 9)


def test_utc_input_and_no_daylight_saving_in_tehran():
    # 06:30 UTC is 10:00 in Tehran in winter …
    start = dt.datetime(2026, 11, 23, 6, 30, tzinfo=dt.UTC)
    assert add_business_minutes(CAL, start, 60) == at(23, 11)
    # … and in summer (Iran dropped daylight saving in 2022): still +03:30.
    summer = dt.datetime(2026, 6, 15, 6, 30, tzinfo=dt.UTC)
    result = add_business_minutes(CAL, summer, 60)
    assert result == dt.datetime(2026, 6, 15, 11, 0, tzinfo=T)
    assert result.utcoffset() == dt.timedelta(hours=3, minutes=30)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_business_minutes(CAL, dt.datetime(2026, 11, 23, 10), 10)


def test_negative_duration_is_refused():
    with pytest.raises(ValueError):
        sla.add_business_seconds(CAL, at(23, 10), -1)


def test_calendar_without_working_time():
    cal = Calendar(hours=dict.fromkeys(sla.WEEK_ORDER))
    with pytest.raises(sla.NoBusinessTime):
        add_business_minutes(cal, at(23, 10), 1)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(23, 10), at(23, 12), 2),
        (at(23, 15), at(24, 9), 2),  # a pause spanning a night counts only working time
        (at(25, 12), at(28, 10), 4 + 4 + 2),  # Wed 12–16, Thu 8–12, Fri off, Sat 8–10
        (at(23, 18), at(23, 22), 0),  # evening only
        (at(27, 9), at(27, 17), 0),  # Friday
        (at(23, 12), at(23, 10), 0),  # reversed
        (at(28, 8), at(5, 8, month=12), 5 * 8 + 4),  # one whole week
    ],
)
def test_business_seconds_between(start, end, hours):
    assert business_seconds_between(CAL, start, end) == hours * 3600


@pytest.mark.parametrize("minutes", [1, 59, 240, 479, 480, 481, 1000, 2400, 5000])
@pytest.mark.parametrize("start", [at(23, 7), at(25, 15, 30), at(26, 11, 59), at(27, 12), at(23, 20)])
def test_adding_then_measuring_gives_the_target_back(start, minutes):
    end = add_business_minutes(CAL, start, minutes)
    assert business_seconds_between(CAL, start, end) == minutes * 60


def test_shifting_equals_recomputing():
    """Resume shifts a due time by the paused business time; a later recomputation from the start must agree."""
    start = at(25, 15)
    due = add_business_minutes(CAL, start, 300)
    paused = 7 * 3600
    assert sla.add_business_seconds(CAL, due, paused) == sla.add_business_seconds(CAL, start, 300 * 60 + paused)


def test_custom_hours_from_rows():
    class Row:
        def __init__(self, weekday, opens, closes, working=True):
            self.weekday, self.opens_at, self.closes_at, self.is_working = weekday, opens, closes, working

    hours = sla.hours_from_rows([Row(sla.MONDAY, dt.time(9), dt.time(10)), Row(sla.TUESDAY, dt.time(9), dt.time(17))])
    cal = Calendar(hours=hours)
    assert hours[sla.SATURDAY] is None  # no row: a day off
    assert add_business_minutes(cal, at(23, 9, 30), 60) == at(24, 9, 30)
    assert sla.hours_from_rows([]) == sla.DEFAULT_HOURS


def test_compute_moments():
    moments = sla.compute_moments(
        CAL,
        start=at(25, 15),
        paused_seconds=0,
        targets=Targets(first_response_minutes=60, resolution_minutes=300, warn_percent=80, level2_percent=150),
    )
    assert moments.first_response_due == at(25, 16)
    assert moments.first_response_warn_at == at(25, 15, 48)
    assert moments.first_response_level2_at == at(26, 8, 30)
    assert moments.resolution_due == at(26, 12)  # Wed 1 h + Thu 4 h = 5 h: Thursday's closing time
    assert moments.resolution_warn_at == at(26, 11)
    assert moments.resolution_level2_at == at(28, 10, 30)


def test_compute_moments_with_a_missing_target():
    moments = sla.compute_moments(CAL, start=at(23, 10), paused_seconds=3600, targets=Targets(None, 60))
    assert moments.first_response_due is None and moments.first_response_warn_at is None
    assert moments.resolution_due == at(23, 12)


def test_time_left_and_overdue_helpers():
    class T_:
        status = "open"
        is_active = True
        sla_paused_at = None
        first_response_at = None
        first_response_due = at(23, 12)
        resolution_due = at(24, 12)

    ticket = T_()
    assert sla.next_due(ticket) == at(23, 12)
    assert sla.ticket_time_left(ticket, now=at(23, 11)) == dt.timedelta(hours=1)
    assert not sla.is_overdue(ticket, now=at(23, 11))
    assert sla.is_overdue(ticket, now=at(23, 13))
    ticket.first_response_at = at(23, 11)
    assert sla.next_due(ticket) == at(24, 12)
    ticket.sla_paused_at = at(23, 11)
    assert sla.ticket_time_left(ticket, now=at(25, 11)) is None
    assert not sla.is_overdue(ticket, now=at(25, 11))

import datetime as dt

import jdatetime
import pytest

from limits.periods import TEHRAN, Period, is_leap, period_starting_tomorrow


def tehran(*args):
    return dt.datetime(*args, tzinfo=TEHRAN)


def g(jy, jm, jd):
    return jdatetime.date(jy, jm, jd).togregorian()


@pytest.mark.parametrize("year", [1399, 1403, 1408])
def test_leap_years_end_q4_on_30_esfand(year):
    assert is_leap(year)
    assert Period(year, 4).last_day == jdatetime.date(year, 12, 30)


@pytest.mark.parametrize("year", [1400, 1401, 1402, 1404, 1405, 1407])
def test_ordinary_years_end_q4_on_29_esfand(year):
    assert not is_leap(year)
    assert Period(year, 4).last_day == jdatetime.date(year, 12, 29)


@pytest.mark.parametrize(
    ("quarter", "first", "last"),
    [(1, (1, 1), (3, 31)), (2, (4, 1), (6, 31)), (3, (7, 1), (9, 30)), (4, (10, 1), (12, 29))],
)
def test_season_bounds(quarter, first, last):
    period = Period(1404, quarter)
    assert period.first_day == jdatetime.date(1404, *first)
    assert period.last_day == jdatetime.date(1404, *last)


def test_deadline_is_235959_tehran_on_the_last_day():
    deadline = Period(1404, 2).deadline
    assert deadline == tehran(*g(1404, 6, 31).timetuple()[:3], 23, 59, 59)
    assert deadline.utcoffset() == dt.timedelta(hours=3, minutes=30)


@pytest.mark.parametrize(("year", "last"), [(1403, 30), (1404, 29)])
def test_q4_end_boundary_in_leap_and_ordinary_years(year, last):
    period = Period(year, 4)
    last_day = g(year, 12, last)
    assert not period.has_ended(tehran(last_day.year, last_day.month, last_day.day, 23, 59, 59, 999999))
    next_day = last_day + dt.timedelta(days=1)
    assert period.has_ended(tehran(next_day.year, next_day.month, next_day.day, 0, 0))
    # the next day is Farvardin 1 of the next year, in the next period
    assert Period.containing(next_day) == Period(year + 1, 1)
    assert period.ends_at == Period(year + 1, 1).starts_at


def test_30_esfand_of_a_leap_year_is_in_q4():
    assert Period.containing(g(1403, 12, 30)) == Period(1403, 4)


def test_containing_uses_tehran_time_not_utc():
    # 1404/07/01 00:30 Tehran is still 1404/06/31 in UTC
    first = g(1404, 7, 1)
    moment = tehran(first.year, first.month, first.day, 0, 30)
    assert moment.astimezone(dt.UTC).date() < first
    assert Period.containing(moment) == Period(1404, 3)


def test_neighbours():
    assert Period(1404, 4).next() == Period(1405, 1)
    assert Period(1404, 1).previous() == Period(1403, 4)
    assert Period(1404, 2).same_period_last_year() == Period(1403, 2)


def test_days_left():
    period = Period(1404, 2)
    last = g(1404, 6, 31)
    assert period.days_left(tehran(last.year, last.month, last.day, 10)) == 0
    before = last - dt.timedelta(days=3)
    assert period.days_left(tehran(before.year, before.month, before.day, 23)) == 3
    after = last + dt.timedelta(days=1)
    assert period.days_left(tehran(after.year, after.month, after.day, 0)) == -1


@pytest.mark.parametrize("quarter", [0, 5])
def test_bad_quarter(quarter):
    with pytest.raises(ValueError):
        Period(1404, quarter)


def test_period_starting_tomorrow():
    eve = g(1404, 3, 31)
    assert period_starting_tomorrow(tehran(eve.year, eve.month, eve.day, 1)) == Period(1404, 2)
    mid = g(1404, 3, 30)
    assert period_starting_tomorrow(tehran(mid.year, mid.month, mid.day, 1)) is None
    leap_eve = g(1403, 12, 30)
    assert period_starting_tomorrow(tehran(leap_eve.year, leap_eve.month, leap_eve.day, 1)) == Period(1404, 1)
    assert period_starting_tomorrow(tehran(*g(1403, 12, 29).timetuple()[:3], 1)) is None

"""The date presets of the report filters, on Tehran's calendar: today, this week from Saturday, this Jalali month,
the last 30 days, this season, this Jalali year. Wed 2025-11-05 is 1404/08/14 (autumn)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from reports import periods
from reports.filters import ReportFilterForm, read_filters
from reports.permissions import report_scope

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2025, 11, 5)  # 1404/08/14


@pytest.mark.parametrize(
    "preset, first",
    [
        ("today", WEDNESDAY),
        ("week", dt.date(2025, 11, 1)),  # Saturday 1404/08/10
        ("month", dt.date(2025, 10, 23)),  # 1404/08/01
        ("last30", dt.date(2025, 10, 7)),  # 30 days, today included
        ("season", dt.date(2025, 9, 23)),  # 1404/07/01, the first day of autumn
        ("year", dt.date(2025, 3, 21)),  # 1404/01/01, Nowruz
    ],
)
def test_each_preset_ends_today_in_tehran(manager, preset, first):
    # 22:00 UTC on Tuesday the 4th is already Wednesday 01:30 in Tehran.
    with time_machine.travel(dt.datetime(2025, 11, 4, 22, 0, tzinfo=dt.UTC), tick=False):
        filters = read_filters(ReportFilterForm({"preset": preset}, scope=report_scope(manager)))
    assert filters is not None
    assert (filters.first, filters.last, filters.preset) == (first, WEDNESDAY, preset)


@pytest.mark.parametrize(
    "today, saturday",
    [
        (dt.date(2025, 11, 1), dt.date(2025, 11, 1)),  # a Saturday starts its own week
        (dt.date(2025, 10, 31), dt.date(2025, 10, 25)),  # Friday ends the week
    ],
)
def test_the_week_starts_on_saturday(today, saturday):
    assert periods.preset_range(periods.WEEK, today) == (saturday, today)


def test_without_a_preset_or_dates_the_last_30_days(manager):
    with time_machine.travel(dt.datetime(2025, 11, 5, 9, 0, tzinfo=dt.UTC), tick=False):
        filters = read_filters(ReportFilterForm({}, scope=report_scope(manager)))
    assert filters is not None
    assert (filters.first, filters.last, filters.preset) == (dt.date(2025, 10, 7), WEDNESDAY, periods.LAST_30)

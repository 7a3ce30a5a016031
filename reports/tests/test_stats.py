"""The daily roll-up (`reports.stats`, `DailyTicketStat`): the pages give the same numbers from it as from the live
tables on the hand-computed month (a transferred ticket, a reopened one, every scope), they do read it, the beat
task rebuilds the days of a ticket changed since its last run, and the command rebuilds everything."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone, translation

from reports import pages, stats
from reports.filters import ReportFilterForm, read_filters
from reports.models import DailyDepartmentStat, DailyTicketStat, StatsState
from reports.permissions import report_scope
from tickets import services

from .conftest import FIRST, LAST, NOW, RANGE, jalali

pytestmark = pytest.mark.django_db

SECTIONS = ("overview", "sla", "agents", "channels")
RANGES = {
    "to today": RANGE,
    "past days only": {**RANGE, "end": jalali(LAST - dt.timedelta(days=1))},
    "from the 19th": {**RANGE, "start": jalali(dt.date(2025, 5, 19))},
    "today only": {"preset": "today"},
}


def numbers(section, user, params):
    """(the filters' roll-up day, the page's numbers and tables)."""
    scope = report_scope(user)
    filters = read_filters(ReportFilterForm(params, scope=scope))
    assert filters is not None
    with translation.override("en"):
        page = pages.SECTIONS[section][0](scope, filters)
    return filters.rolled, [(k.label, k.value) for k in page.kpis], {t.key: t.rows for t in page.tables}


def both(section, user, params):
    """The page from the roll-up, and from the live tables only (as before the roll-up was first built)."""
    rolled, *with_rollup = numbers(section, user, params)
    state = StatsState.objects.get()
    StatsState.objects.all().delete()
    live, *without = numbers(section, user, params)
    state.save()  # the same row again
    assert (rolled, live) == (LAST - dt.timedelta(days=1), None)
    return with_rollup, without


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("who", ["manager", "supervisor", "supervisor_b", "agent", "agent_b"])
@pytest.mark.parametrize("span", RANGES)
def test_the_rollup_gives_the_live_numbers(month, request, section, who, span):
    with_rollup, without = both(section, request.getfixturevalue(who), RANGES[span])
    assert with_rollup == without


def test_the_pages_read_the_rollup_for_past_days(month, manager, priority):
    """Proof that the numbers come from the roll-up: a row changed by hand shows (t1 was filed on the 14th). With
    nothing but a department or a channel to narrow them, the totals come from the sums per department and
    channel; with a priority, from the rows per ticket attributes."""
    DailyDepartmentStat.objects.filter(day=FIRST, created=1).update(created=7)
    assert dict(numbers("overview", manager, RANGE)[1])["Created"] == 4 + 6
    by_priority = {**RANGE, "priority": str(priority.pk)}
    assert dict(numbers("overview", manager, by_priority)[1])["Created"] == 4
    DailyTicketStat.objects.filter(day=FIRST, created=1).update(created=3)
    assert dict(numbers("overview", manager, by_priority)[1])["Created"] == 4 + 2


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("who", ["manager", "supervisor"])
@pytest.mark.parametrize("narrowed", ["department", "channel", "priority"])
def test_the_rollup_gives_the_live_numbers_with_a_filter(month, request, section, who, narrowed):
    """A department or channel filter keeps the sums per department and channel; any other filter needs the rows
    per ticket attributes."""
    value = month["t1"].channel if narrowed == "channel" else getattr(month["t1"], f"{narrowed}_id")
    with_rollup, without = both(section, request.getfixturevalue(who), {**RANGE, narrowed: str(value)})
    assert with_rollup == without


def per_department(model):
    """{(day, department, channel): the sums of the day's counts} of a roll-up table."""
    keys = ("id", "day", "department", "channel")
    fields = [f.name for f in DailyDepartmentStat._meta.concrete_fields if f.name not in keys]
    rows = model.objects.values("day", "department_id", "channel").annotate(**{f"n_{n}": Sum(n) for n in fields})
    return {(row["day"], row["department_id"], row["channel"]): [row[f"n_{n}"] for n in fields] for row in rows}


def test_it_holds_the_month_by_day_where_each_ticket_ended(month, department, department_b):
    """t3, filed on the 19th in A and transferred to B: counted in B, created and resolved on the 19th; t2 reopened
    on the 26th; t4 breached (the scan's mark) on its day of creation, the 20th; nothing for today (29th)."""
    rows = {
        (row.day.day, row.department_id): row
        for row in DailyTicketStat.objects.all()  # one row per day and department here (one priority, type, channel)
    }
    assert set(rows) == {(14, department.pk), (18, department.pk), (19, department_b.pk), (20, department_b.pk),
                         (24, department.pk), (25, department.pk), (26, department.pk)}  # fmt: skip
    t3 = rows[(19, department_b.pk)]
    assert (t3.created, t3.resolved, t3.fr_met, t3.res_met, t3.finished) == (1, 1, 1, 1, 1)
    assert (rows[(20, department_b.pk)].fr_breached, rows[(20, department_b.pk)].escalated) == (1, 1)
    t2_again = rows[(26, department.pk)]
    assert (t2_again.reopened, t2_again.finished, t2_again.resolved) == (1, 1, 1)
    assert rows[(25, department.pk)].resolved == 0  # t2's first resolution was replaced by the one of the 26th
    assert per_department(DailyDepartmentStat) == per_department(DailyTicketStat)


def test_beat_rebuilds_the_days_of_a_ticket_changed_since_it_ran(month, agent, agent_b, department_b, manager,
                                                                 supervisor_b):  # fmt: skip
    """t1 (A, filed on the 14th, resolved on the 18th) is transferred to B after the roll-up was built: the next
    run moves its days to B, and leaves the days of the tickets nobody touched as they were."""
    later = NOW + dt.timedelta(hours=1)
    untouched = DailyTicketStat.objects.get(day=dt.date(2025, 5, 24)).pk
    with time_machine.travel(later, tick=False):
        services.ticket_transfer(ticket=month["t1"], department=department_b, agent=agent_b, actor=agent)
        assert numbers("overview", supervisor_b, RANGE)[1] != both("overview", supervisor_b, RANGE)[1][0]
        done = stats.refresh()
        # t1's 14th and 18th, and t4's 20th: the scan's events of NOW are within the overlap read again (OVERLAP)
        assert done["days"] == 3
        assert DailyTicketStat.objects.filter(day=FIRST).get().department == department_b
        assert DailyTicketStat.objects.filter(pk=untouched).exists()
        assert per_department(DailyDepartmentStat) == per_department(DailyTicketStat)
        for user in (manager, supervisor_b):
            for section in SECTIONS:
                with_rollup, without = both(section, user, RANGE)
                assert with_rollup == without


def test_after_midnight_the_pages_read_live_until_beat_has_rolled_yesterday_up(month, manager):
    tomorrow = NOW + dt.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        params = {**RANGE, "end": jalali(LAST + dt.timedelta(days=1))}
        assert numbers("overview", manager, params)[0] is None  # built through the 28th: behind, so live
        stats.refresh()
        assert StatsState.objects.get().built_through == LAST
        assert numbers("overview", manager, params)[0] == LAST


def test_an_organisation_filter_reads_the_live_tables(month, manager, make_ticket):
    organisation = month["t1"].requester.organisation or None
    params = {**RANGE, "organisation": str(organisation.pk)} if organisation else None
    if params is None:
        from accounts.tests.factories import OrganisationFactory

        params = {**RANGE, "organisation": str(OrganisationFactory().pk)}
    assert numbers("overview", manager, params)[0] is None


def test_the_command_rebuilds_everything_and_since_a_day(month, manager):
    before = numbers("sla", manager, RANGE)
    for model in stats.TABLES:
        model.objects.all().delete()
    call_command("rebuild_report_stats", verbosity=0)
    assert numbers("sla", manager, RANGE) == before
    for model in stats.TABLES:
        model.objects.filter(day__gte=dt.date(2025, 5, 20)).delete()
    call_command("rebuild_report_stats", "--since", "2025-05-20", verbosity=0)
    assert numbers("sla", manager, RANGE) == before
    StatsState.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("rebuild_report_stats", "--since", "2025-05-20")


def test_beat_keeps_the_rollup_fresh():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-refresh-stats"]
    assert (entry["task"], entry["schedule"]) == ("reports.tasks.refresh_stats", 300.0)


# On SQLite the test database is in memory with a shared cache, which answers "table is locked" at once instead
# of waiting; a real SQLite file waits (busy timeout) behind the first writer's BEGIN IMMEDIATE.
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_waits_for_another_to_commit(make_ticket):
    """A beat run and the command at once: the second rebuild reads only after the first has committed, so a day
    is never written twice (each deletes the days' rows and inserts them again)."""
    make_ticket()
    day = stats.tehran_date(timezone.now())
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def first_rebuild():
        try:
            with transaction.atomic():
                stats._lock()
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second_rebuild():
        try:
            stats.rebuild(day, day)
            done.set()
        finally:
            connection.close()

    first, second = threading.Thread(target=first_rebuild), threading.Thread(target=second_rebuild)
    first.start()
    try:
        assert holding.wait(10)
        second.start()
        assert not done.wait(0.5)  # waits for the lock
    finally:
        release.set()
        first.join(10)
    second.join(10)
    assert done.is_set()
    assert DailyTicketStat.objects.filter(day=day).count() == 1

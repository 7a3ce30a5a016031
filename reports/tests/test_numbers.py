"""The report numbers against the hand-computed month of `conftest.py` (business and calendar hours, paused time,
a reopen, a transfer counted where it ended, SLA outcomes, satisfaction), as a manager sees them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from reports import pages, selectors, stats
from reports.filters import ReportFilterForm, read_filters
from reports.permissions import report_scope
from tickets import services
from tickets.models import Status, Ticket
from tickets.tests.factories import PriorityFactory, TicketFactory, TicketTypeFactory

from .conftest import FIRST, LAST, RANGE, at, jalali

pytestmark = pytest.mark.django_db


def build(section, user, **params):
    scope = report_scope(user)
    filters = read_filters(ReportFilterForm({**RANGE, **params}, scope=scope))
    assert filters is not None
    with translation.override("en"):
        return pages.SECTIONS[section][0](scope, filters)


def kpis(page):
    return {str(k.label): k.value for k in page.kpis}


def rows(page, key):
    return page.table(key).rows


def test_overview_counts_times_and_backlog(month, manager):
    page = build("overview", manager)
    numbers = kpis(page)
    assert {k: numbers[k] for k in ("Created", "Resolved", "Reopened", "Open now")} == {
        "Created": 4, "Resolved": 3, "Reopened": 1, "Open now": 1,
    }  # fmt: skip
    assert numbers["First response within SLA"] == 0.5  # t2, t3 met; t1 late, t4 never answered
    assert numbers["Resolution within SLA"] == pytest.approx(2 / 3)  # t1 took 9 h of 8.5
    assert numbers["Median first response (business hours)"] == 2.0
    assert numbers["Satisfaction (average of 5)"] == 4.0
    times = {row[0]: row[1:] for row in rows(page, "times")}
    # business: first response [2, 2, 6.5] h, resolution [4, 8, 9] h; calendar [2, 5, 90.5] h and [4, 50, 93] h
    assert times["First response"] == [3, 2.0, pytest.approx(5.6), 5.0, pytest.approx(73.4)]
    assert times["Resolution"] == [3, 8.0, pytest.approx(8.8), 50.0, pytest.approx(84.4)]

    volume = {row[0]: row[1:] for row in rows(page, "volume")}
    assert len(volume) == (LAST - FIRST).days + 1
    by_day = list(volume.values())
    day = {d: by_day[(d - FIRST).days] for d in (dt.date(2025, 5, 14), dt.date(2025, 5, 20), dt.date(2025, 5, 26))}
    assert day[dt.date(2025, 5, 14)] == [1, 0, 0, 1]  # [created, resolved, reopened, backlog at the end]
    assert day[dt.date(2025, 5, 20)] == [1, 0, 0, 1]  # t1 and t3 resolved on the 18th and 19th, t4 filed
    assert day[dt.date(2025, 5, 26)] == [0, 1, 1, 1]  # t2 reopened and resolved again
    assert by_day[-1][-1] == 1  # t4 is still open
    assert [r[1] for r in rows(page, "csat")] == [0, 0, 1, 0, 1]
    assert {row[0]: row[1] for row in rows(page, "open_department")} == {"مالی": 1}


def test_overview_open_now_by_status_and_priority(month, manager, department, priority):
    """t4 (new, «عادی», B) and, filed long before the range (open now is any date), four open tickets of A and two
    finished ones that do not count."""
    urgent, low = PriorityFactory(name="فوری", order=5), PriorityFactory(name="کم", order=1)
    long_ago = at(1, 9, month=1)
    for status, rank in [
        (Status.OPEN, urgent), (Status.WAITING, urgent), (Status.ON_HOLD, None), (Status.OPEN, low),
        (Status.RESOLVED, urgent), (Status.CLOSED, low),
    ]:  # fmt: skip
        finished = long_ago if status in (Status.RESOLVED, Status.CLOSED) else None
        TicketFactory(
            department=department, status=status, priority=rank, created_at=long_ago,
            resolved_at=finished, closed_at=finished if status == Status.CLOSED else None,
        )  # fmt: skip
    page = build("overview", manager)
    assert kpis(page)["Open now"] == 5
    # In the workflow's order; by priority the most urgent first, «none» last.
    assert rows(page, "open_status") == [["New", 1], ["Open", 2], ["Waiting for customer", 1], ["On hold", 1]]
    assert rows(page, "open_priority") == [["فوری", 2], [priority.name, 1], ["کم", 1], ["none", 1]]
    assert {row[0]: row[1] for row in rows(page, "open_department")} == {"پشتیبانی فنی": 4, "مالی": 1}
    chart = next(chart for chart in page.charts if chart.key == "open_priority")
    assert chart.data()["datasets"][0]["data"] == [2, 1, 1, 1]


def test_sla_by_type(month, manager):
    """t1 and t3 are hardware, t2 software, t4 has no type."""
    hardware, software = TicketTypeFactory(name="سخت‌افزار"), TicketTypeFactory(name="نرم‌افزار")
    for name, kind in (("t1", hardware), ("t3", hardware), ("t2", software)):
        Ticket.objects.filter(pk=month[name].pk).update(type=kind)
    stats.rebuild_all()  # a bulk update writes no timeline event: beat would not see it
    by_type = {row[0]: row[1:] for row in rows(build("sla", manager), "by_type")}
    # [FR met, FR breached, FR met %, resolution met, resolution breached, resolution met %]
    assert by_type == {
        "سخت‌افزار": [1, 1, 0.5, 1, 1, 0.5],  # t1 late twice, t3 in time
        "نرم‌افزار": [1, 0, 1.0, 1, 0, 1.0],  # t2
        "none": [0, 1, 0.0, 0, 0, None],  # t4: never answered, not resolved
    }
    narrowed = {row[0]: row[1:] for row in rows(build("sla", manager, type=str(software.pk)), "by_type")}
    assert narrowed == {"نرم‌افزار": [1, 0, 1.0, 1, 0, 1.0]}


def test_sla_by_department_counts_a_transferred_ticket_where_it_ended(month, manager):
    page = build("sla", manager)
    by_department = {row[0]: row[1:] for row in rows(page, "by_department")}
    # [FR met, FR breached, FR met %, resolution met, resolution breached, resolution met %]
    assert by_department["پشتیبانی فنی"] == [1, 1, 0.5, 1, 1, 0.5]  # t1 late twice, t2 in time
    assert by_department["مالی"] == [1, 1, 0.5, 1, 0, 1.0]  # t3 (transferred here) in time, t4 breached
    assert kpis(page)["Escalated to supervisors"] == 1  # t4, by the scan
    listed = [str(row[0]) for row in rows(page, "breached")]
    assert listed == [f"#{month['t4'].reference}", f"#{month['t1'].reference}"]


def test_agents_per_agent(month, manager, agent, agent_b):
    table = {row[0]: row[1:] for row in rows(build("agents", manager), "agents")}
    # [resolved, replies, median FR h, median resolution h, reopen rate, satisfaction, ratings]
    assert table[agent.full_name] == [2, 4, 4.25, 8.5, 0.5, 5.0, 1]
    assert table[agent_b.full_name] == [1, 2, 2.0, 4.0, 0.0, 3.0, 1]
    assert set(table) == {agent.full_name, agent_b.full_name}


def test_channels_split_by_channel(month, manager):
    table = {row[0]: row[1:] for row in rows(build("channels", manager), "channels")}
    assert table["Web"][:2] == [4, 3] and table["Web"][2] == 2.0
    assert table["Email"] == [0, 0, None, None, None, None, None]


def test_days_are_tehran_days(db, manager):
    """20:45 UTC on 2025-05-14 is 00:15 on the 15th in Tehran."""
    TicketFactory(created_at=dt.datetime(2025, 5, 14, 20, 45, tzinfo=dt.UTC))
    by_day = [row[1] for row in rows(build("overview", manager), "volume")]
    assert by_day[:2] == [0, 1]


def test_week_month_and_season_buckets(month, manager):
    weeks = rows(build("overview", manager, by="week"), "volume")
    assert [row[0] for row in weeks][:2] == ["week of 1404/02/20", "week of 1404/02/27"]  # Saturdays
    assert [row[1] for row in weeks] == [1, 2, 1]
    months = rows(build("overview", manager, by="month"), "volume")
    assert [(row[0], row[1]) for row in months] == [("Ordibehesht 1404", 3), ("Khordad 1404", 1)]
    seasons = rows(build("overview", manager, by="season"), "volume")
    assert [(row[0], row[1]) for row in seasons] == [("Spring 1404", 4)]


def test_percentiles_match_postgresqls_percentile_cont(db):
    for seconds in (10, 20, 30, 40, 1000):
        TicketFactory(first_response_seconds=seconds, first_response_business_seconds=seconds)
    spread = selectors.percentiles(TicketFactory._meta.model.objects.all(), ["first_response_seconds"])[None]
    assert spread["first_response_seconds"] == selectors.Spread(5, 30, 616.0)  # 40 + 0.6 × 960


def test_the_page_shows_persian_digits_and_jalali_dates(month, client, manager):
    client.force_login(manager)
    text = client.get(reverse("reports:overview"), RANGE).content.decode()
    assert "۱۴۰۴/۰۲/۲۴" in text and "از ۱۴۰۴/۰۲/۲۴ تا ۱۴۰۴/۰۳/۰۸" in text
    assert "۵۰٪" in text  # first response within SLA


def test_days_are_tehran_days_across_daylight_saving_time(db, manager):
    """Before 2022 Tehran kept summer time (+04:30): 19:45 UTC on 2021-06-10 was 00:15 on the 11th."""
    TicketFactory(created_at=dt.datetime(2021, 6, 10, 19, 45, tzinfo=dt.UTC))
    by_day = [row[1] for row in rows(build("overview", manager, start="1400/03/01", end="1400/06/31"), "volume")]
    assert by_day[19:22] == [0, 1, 0]  # 1400/03/21 is 2021-06-11


def test_the_backlog_follows_the_status_timeline(month, manager):
    """t2 was resolved on Sun 25 and reopened and resolved again on Mon 26: the backlog drops on the 25th (only t4
    is open that evening), although t2's latest resolution is on the 26th."""
    by_day = [row[1:] for row in rows(build("overview", manager), "volume")]
    assert by_day[(dt.date(2025, 5, 24) - FIRST).days] == [1, 0, 0, 2]  # [created, resolved, reopened, backlog]
    assert by_day[(dt.date(2025, 5, 25) - FIRST).days] == [0, 0, 0, 1]


def test_the_backlog_at_the_start_leaves_out_a_ticket_resolved_before_it(month, manager, make_ticket, agent, customer):
    """From Mon 26: t5, filed and resolved on Wed 21, is reopened on Tue 27 and still open; t2 was resolved the
    day before the start and is reopened and resolved again on the 26th. Open at the end of each day: t4 on the
    26th, t4 and t5 from the 27th."""
    with time_machine.travel(at(21, 9), tick=False):
        t5 = make_ticket(subject="رمز")
    with time_machine.travel(at(21, 10), tick=False):
        services.ticket_change_status(ticket=t5, status=Status.RESOLVED, actor=agent)
    with time_machine.travel(at(27, 9), tick=False):
        services.ticket_reopen(ticket=t5, actor=customer)
    stats.rebuild_all()  # the days are past: `rebuild_report_stats` (beat reads the changes made since it ran)
    page = build("overview", manager, start=jalali(dt.date(2025, 5, 26)), end=jalali(LAST))
    assert [row[-1] for row in rows(page, "volume")] == [1, 2, 2, 2]


def test_sla_by_agent_and_the_breach_rate_over_time(month, manager, agent, agent_b, priority):
    page = build("sla", manager)
    by_agent = {row[0]: row[1:] for row in rows(page, "by_agent")}
    # [FR met, FR breached, FR met %, resolution met, resolution breached, resolution met %]
    assert by_agent == {
        agent.full_name: [1, 1, 0.5, 1, 1, 0.5],  # t1 late twice, t2 in time
        agent_b.full_name: [1, 0, 1.0, 1, 0, 1.0],  # t3
        "Unassigned": [0, 1, 0.0, 0, 0, None],  # t4: never answered, not resolved
    }
    assert {row[0]: row[1:] for row in rows(page, "by_priority")} == {priority.name: [2, 2, 0.5, 2, 1, 2 / 3]}
    trend = {(FIRST + dt.timedelta(days=i)).day: row[1:3] for i, row in enumerate(rows(page, "trend"))}
    # [first response breach rate (tickets created that day), resolution breach rate (resolved that day)]
    assert {day: rates for day, rates in trend.items() if rates != [None, None]} == {
        14: [1.0, None], 18: [None, 1.0], 19: [0.0, 0.0], 20: [1.0, None], 24: [0.0, None], 26: [None, 0.0],
    }  # fmt: skip

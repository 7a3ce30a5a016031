"""A hand-computed month for the report tests (default calendar: Sat–Wed 08:00–16:00, Thu 08:00–12:00, Fri off;
Tehran time; an SLA policy of 4 business hours to the first response and 8.5 to the resolution).

Department A (`department`: `agent`, supervised by `supervisor`), department B (`agent_b`, `supervisor_b`):

- t1, A, `agent`: filed Wed 1404/02/24 (2025-05-14) 15:00; Sat 17 is a holiday; first response Sun 18 09:30
  (business 6.5 h: late; calendar 90.5 h); resolved Sun 12:00 (business 9 h: late; calendar 93 h); rated 5.
- t2, A, `agent`: filed Sat 24 09:00; waiting on the customer 10:00–13:00; first response 14:00 (business 2 h,
  calendar 5 h); resolved Sun 25 10:00; reopened Mon 26 09:00; resolved Mon 11:00 (business 8 h, calendar 50 h).
- t3: filed in A Mon 19 09:00, transferred to B and `agent_b` at 10:00, answered 11:00 (2 h), resolved 13:00
  (4 h); rated 3. It counts in B, where it ended.
- t4, B: filed Tue 20 09:00, never answered; the SLA scan on Thu 29 marks both deadlines breached.

Then the roll-up is built as beat would (`reports.stats.refresh`): the 14th to the 28th from it, the 29th live.
"""

from __future__ import annotations

import datetime as dt

import jdatetime
import pytest
import time_machine

from accounts.tests.factories import AgentFactory, SupervisorFactory
from reports import stats
from tickets import csat, services, sla
from tickets.models import Holiday, SLAPolicy, Status
from tickets.services import sla as sla_services
from tickets.tests.factories import DepartmentFactory

T = sla.TEHRAN
FIRST, LAST = dt.date(2025, 5, 14), dt.date(2025, 5, 29)


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=T)


def jalali(day: dt.date) -> str:
    j = jdatetime.date.fromgregorian(date=day)
    return f"{j.year}/{j.month:02d}/{j.day:02d}"


RANGE = {"start": jalali(FIRST), "end": jalali(LAST), "by": "day"}
NOW = at(29, 12)


@pytest.fixture
def agent_b(db):
    return AgentFactory(full_name="بهرام بهاری")


@pytest.fixture
def supervisor_b(db):
    return SupervisorFactory(full_name="ناظر ب")


@pytest.fixture
def department_b(agent_b, supervisor_b):
    return DepartmentFactory(name="مالی", members=[agent_b], supervisors=[supervisor_b])


@pytest.fixture
def month(make_ticket, department, department_b, agent, agent_b, customer, priority):
    """The four tickets above; returns them by name. The clock is left at Thu 29 12:00 Tehran."""
    SLAPolicy.objects.create(name="عادی", priority=priority, first_response_minutes=240, resolution_minutes=510)
    Holiday.objects.create(date=dt.date(2025, 5, 17), name="تعطیل")

    def travel(moment):
        return time_machine.travel(moment, tick=False)

    with travel(at(14, 15)):
        t1 = make_ticket(subject="چاپگر")
        services.ticket_assign(ticket=t1, agent=agent, actor=agent)
    with travel(at(18, 9, 30)):
        services.reply_add(ticket=t1, author=agent, body="بررسی می‌کنیم.")
    with travel(at(18, 12)):
        services.reply_add(ticket=t1, author=agent, body="حل شد.", status=Status.RESOLVED)
    with travel(at(18, 13)):
        t1.refresh_from_db()
        services.rating_submit(token=csat.rating_token(t1), score=5, comment="عالی")

    with travel(at(19, 9)):
        t3 = make_ticket(subject="فاکتور")
    with travel(at(19, 10)):
        services.ticket_transfer(ticket=t3, department=department_b, agent=agent_b, actor=agent)
    with travel(at(19, 11)):
        services.reply_add(ticket=t3, author=agent_b, body="فاکتور اصلاح می‌شود.")
    with travel(at(19, 13)):
        services.reply_add(ticket=t3, author=agent_b, body="اصلاح شد.", status=Status.RESOLVED)
    with travel(at(20, 8)):
        t3.refresh_from_db()
        services.rating_submit(token=csat.rating_token(t3), score=3)

    with travel(at(20, 9)):
        t4 = make_ticket(subject="پرداخت", department=department_b)

    with travel(at(24, 9)):
        t2 = make_ticket(subject="ورود")
        services.ticket_assign(ticket=t2, agent=agent, actor=agent)
    with travel(at(24, 10)):
        services.ticket_change_status(ticket=t2, status=Status.WAITING, actor=agent)
    with travel(at(24, 13)):
        services.reply_add(ticket=t2, author=customer, body="این هم اطلاعات.")
    with travel(at(24, 14)):
        services.reply_add(ticket=t2, author=agent, body="درست شد؟")
    with travel(at(25, 10)):
        services.ticket_change_status(ticket=t2, status=Status.RESOLVED, actor=agent)
    with travel(at(26, 9)):
        services.ticket_reopen(ticket=t2, actor=customer)
    with travel(at(26, 11)):
        services.reply_add(ticket=t2, author=agent, body="دوباره درست شد.", status=Status.RESOLVED)

    sla_services.sla_scan(now=NOW)
    stats.refresh(now=NOW)  # what beat does: the roll-up holds the 14th to the 28th, today (29th) is live
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    yield {"t1": t1, "t2": t2, "t3": t3, "t4": t4}
    traveller.stop()

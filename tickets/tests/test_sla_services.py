"""SLA on tickets: due times on creation and recomputation, pause/resume, the scan (once-only marks) and
escalation. Times are Tehran; the week is Mon 2026-11-23 … Thu 26 (half day), Fri 27 (off), Sat 28."""

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from accounts.tests.factories import ManagerFactory
from helpdesk.jalali import parse_jalali_date
from notifications.models import Notification
from tickets import services, sla
from tickets.models import BusinessHours, Holiday, SLAPolicy, Status, TicketEvent
from tickets.services import sla as sla_services
from tickets.tasks import scan_sla

from .factories import DepartmentFactory, PriorityFactory, TicketTypeFactory

T = sla.TEHRAN


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=T)


@pytest.fixture
def policy(priority):
    return SLAPolicy.objects.create(name="عادی", priority=priority, first_response_minutes=60, resolution_minutes=480)


def kinds(ticket, *wanted):
    return list(TicketEvent.objects.filter(ticket=ticket, kind__in=wanted).values_list("kind", flat=True))


def test_policy_lookup_most_specific_wins(priority, department):
    ticket_type = TicketTypeFactory()
    other_department = DepartmentFactory()
    general = SLAPolicy.objects.create(name="g", priority=priority, resolution_minutes=600)
    by_type = SLAPolicy.objects.create(name="t", priority=priority, type=ticket_type, resolution_minutes=500)
    by_dept = SLAPolicy.objects.create(name="d", priority=priority, department=department, resolution_minutes=400)
    both = SLAPolicy.objects.create(
        name="dt", priority=priority, department=department, type=ticket_type, resolution_minutes=300
    )
    SLAPolicy.objects.create(name="x", priority=PriorityFactory(), resolution_minutes=1)

    def lookup(dept, typ):
        return sla.policy_for(priority_id=priority.pk, department_id=dept and dept.pk, type_id=typ and typ.pk)

    assert lookup(department, ticket_type) == both
    assert lookup(department, None) == by_dept
    assert lookup(other_department, ticket_type) == by_type
    assert lookup(other_department, None) == general
    both.is_active = False
    both.save()
    assert lookup(department, ticket_type) == by_dept
    assert sla.policy_for(priority_id=None, department_id=None, type_id=None) is None


def test_due_times_on_create_across_thursday_friday_and_a_jalali_holiday(make_ticket, policy):
    Holiday.objects.create(date=parse_jalali_date("۱۴۰۵/۰۹/۰۷"), name="تعطیل")  # Saturday 28
    with time_machine.travel(at(25, 15), tick=False):  # Wednesday 15:00
        ticket = make_ticket()
    # 1 h on Wednesday; 4 h Thursday; Friday off; Saturday a holiday; 3 h on Sunday.
    assert ticket.first_response_due == at(25, 16)
    assert ticket.resolution_due == at(29, 11)
    assert ticket.first_response_warn_at == at(25, 15, 48)
    assert ticket.resolution_warn_at == at(29, 9, 24)  # 80% = 384 min
    assert ticket.sla_policy == policy
    assert ticket.escalate_at == at(26, 8, 30)  # first response + 50%


def test_custom_business_hours_are_used(make_ticket, policy):
    BusinessHours.objects.create(weekday=sla.WEDNESDAY, opens_at=dt.time(9), closes_at=dt.time(10))
    BusinessHours.objects.create(weekday=sla.SATURDAY, opens_at=dt.time(8), closes_at=dt.time(18))
    with time_machine.travel(at(25, 9, 30), tick=False):
        ticket = make_ticket()
    assert ticket.first_response_due == at(28, 8, 30)  # 30 min Wednesday; Thursday/Friday now days off


def test_no_policy_no_due_times(make_ticket):
    ticket = make_ticket()
    assert ticket.first_response_due is None and ticket.resolution_due is None and ticket.sla_policy is None


def test_priority_change_recomputes(make_ticket, policy, agent):
    urgent = PriorityFactory(name="فوری", order=9)
    SLAPolicy.objects.create(name="فوری", priority=urgent, first_response_minutes=15, resolution_minutes=120)
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
    assert ticket.resolution_due == at(24, 10)
    with time_machine.travel(at(23, 11), tick=False):
        ticket = services.ticket_change_priority(ticket=ticket, priority=urgent, actor=agent)
    ticket.refresh_from_db()
    assert ticket.first_response_due == at(23, 10, 15)
    assert ticket.resolution_due == at(23, 12)


def test_type_and_department_change_recompute(make_ticket, policy, agent, priority, department, supervisor):
    ticket_type = TicketTypeFactory()
    SLAPolicy.objects.create(name="t", priority=priority, type=ticket_type, resolution_minutes=60)
    other = DepartmentFactory(members=[agent])
    SLAPolicy.objects.create(name="d", priority=priority, department=other, resolution_minutes=30)
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
        ticket = services.ticket_change_type(ticket=ticket, type=ticket_type, actor=agent)
        ticket.refresh_from_db()
        assert ticket.resolution_due == at(23, 11)
        ticket = services.ticket_transfer(ticket=ticket, department=other, actor=agent)
        ticket.refresh_from_db()
        assert ticket.resolution_due == at(23, 10, 30)


def test_pause_and_resume_spanning_a_night(make_ticket, policy, agent, customer):
    with time_machine.travel(at(23, 10), tick=False):  # Monday 10:00, resolution due Tuesday 10:00
        ticket = make_ticket()
    with time_machine.travel(at(23, 12), tick=False):  # the agent asks the customer something
        services.reply_add(ticket=ticket, author=agent, body="شماره سریال؟", status=Status.WAITING)
    ticket.refresh_from_db()
    assert ticket.sla_paused_at == at(23, 12)
    with time_machine.travel(at(24, 15), tick=False):  # nothing happens while paused, even past the due time
        assert sla_services.sla_scan().breached == []
    with time_machine.travel(at(24, 9), tick=False):  # the customer answers next morning
        services.reply_add(ticket=ticket, author=customer, body="SN-123")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.sla_paused_at is None
    # Paused Mon 12–16 and Tue 8–9: five business hours; the night does not count.
    assert ticket.sla_paused_seconds == 5 * 3600
    assert ticket.resolution_due == at(24, 15)
    assert ticket.resolution_warn_at == at(24, 13, 24)
    # A later recomputation (priority change) agrees with the shift.
    assert sla_services.sla_apply(ticket, now=at(24, 9)) == []


def test_on_hold_pauses_too(make_ticket, policy, agent):
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(23, 11), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.ON_HOLD, actor=agent)
    with time_machine.travel(at(23, 11, 30), tick=False):
        services.ticket_change_status(ticket=ticket, status=Status.WAITING, actor=agent)  # still paused
    with time_machine.travel(at(23, 13), tick=False):
        ticket = services.ticket_change_status(ticket=ticket, status=Status.OPEN, actor=agent)
    assert ticket.sla_paused_seconds == 2 * 3600
    assert ticket.resolution_due == at(24, 12)


def test_warning_and_breach_recorded_once_when_the_scan_runs_twice(make_ticket, policy, agent, supervisor, notified):
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket(assignee=agent, created_by=agent)
    with time_machine.travel(at(23, 10, 50), tick=False):  # 80% of the first-response target
        first = sla_services.sla_scan()
        second = scan_sla()
    assert first.warned == [ticket.pk] and second == {"warned": 0, "breached": 0, "escalated": 0}
    warning = TicketEvent.objects.get(ticket=ticket, kind="sla_warning")
    assert warning.data["target"] == "first_response" and warning.data["recipients"] == [agent.pk]
    assert "sla_warning" in notified.kinds
    assert Notification.objects.filter(event=warning, recipient=agent).exists()

    with time_machine.travel(at(23, 11, 1), tick=False):
        first = sla_services.sla_scan()
        second = sla_services.sla_scan()
    assert first.breached == [ticket.pk] and second.breached == []
    assert kinds(ticket, "sla_breach") == ["sla_breach"]
    breach = TicketEvent.objects.get(ticket=ticket, kind="sla_breach")
    assert set(breach.data["recipients"]) == {agent.pk, supervisor.pk}
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at == at(23, 11, 1)
    assert ticket.escalation_level == 1
    with translation.override("fa"):
        assert breach.description == "مهلت نخستین پاسخ (۱۴۰۵/۰۹/۰۲ ۱۱:۰۰) گذشت."


def test_the_losing_scan_does_nothing(make_ticket, policy):
    """Two beats at once: the conditional UPDATE lets only one of them record the breach."""
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
    result = sla_services.ScanResult()
    assert sla_services._breach_batch([ticket.pk], "first_response", at(23, 12), result) == [ticket.pk]
    assert sla_services._breach_batch([ticket.pk], "first_response", at(23, 12), result) == []
    assert kinds(ticket, "sla_breach", "escalated") == ["sla_breach", "escalated"]


def test_first_response_stops_the_first_response_clock(make_ticket, policy, agent):
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(23, 10, 30), tick=False):
        services.reply_add(ticket=ticket, author=agent, body="در حال بررسی")
    ticket.refresh_from_db()
    assert ticket.escalate_at == at(24, 14)  # only the resolution target's level 2 remains (150% of 8 h)
    with time_machine.travel(at(23, 15), tick=False):
        result = sla_services.sla_scan()
    assert result.warned == [] and result.breached == []


def test_escalation_levels(make_ticket, policy, agent, supervisor):
    manager = ManagerFactory()
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(23, 11), tick=False):  # first response due: breach, level 1
        sla_services.sla_scan()
    escalated = TicketEvent.objects.get(ticket=ticket, kind="escalated")
    assert escalated.data["level"] == 1 and escalated.data["recipients"] == [supervisor.pk]
    assert Notification.objects.filter(event=escalated, recipient=supervisor).exists()

    with time_machine.travel(at(23, 11, 29), tick=False):  # not yet 150% of the first-response target
        assert sla_services.sla_scan().escalated == []
    with time_machine.travel(at(23, 11, 30), tick=False):
        assert sla_services.sla_scan().escalated == [(ticket.pk, 2)]
        assert sla_services.sla_scan().escalated == []
    level2 = TicketEvent.objects.filter(ticket=ticket, kind="escalated").last()
    assert level2.data["level"] == 2 and level2.data["recipients"] == [manager.pk]
    assert Notification.objects.filter(event=level2, recipient=manager).exists()
    ticket.refresh_from_db()
    assert ticket.escalation_level == 2
    # The resolution breach later is recorded, but escalation does not start again.
    with time_machine.travel(at(24, 10), tick=False):
        result = sla_services.sla_scan()
    assert result.breached == [ticket.pk] and result.escalated == []
    assert kinds(ticket, "sla_breach") == ["sla_breach", "sla_breach"]


def test_breach_raises_priority_and_reassigns_to_a_supervisor(make_ticket, priority, agent, supervisor):
    SLAPolicy.objects.create(
        name="p",
        priority=priority,
        first_response_minutes=60,
        resolution_minutes=480,
        raise_priority_on_breach=True,
        reassign_on_breach=True,
    )
    higher = PriorityFactory(name="زیاد", order=5)
    PriorityFactory(name="فوری", order=9)
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket(assignee=agent, created_by=agent)
    with time_machine.travel(at(23, 11), tick=False):
        sla_services.sla_scan()
    ticket.refresh_from_db()
    assert ticket.priority == higher
    assert ticket.assignee == supervisor
    timeline = list(ticket.events.order_by("pk").values_list("kind", "actor"))
    assert timeline[-4:] == [("sla_breach", None), ("escalated", None), ("priority", None), ("assigned", None)]


def test_paused_or_finished_tickets_are_not_scanned(make_ticket, policy, agent):
    with time_machine.travel(at(23, 10), tick=False):
        resolved = make_ticket()
        services.ticket_change_status(ticket=resolved, status=Status.RESOLVED, actor=agent)
    with time_machine.travel(at(30, 10), tick=False):
        assert sla_services.sla_scan().breached == []


def test_recompute_to_a_later_due_clears_the_breach(make_ticket, policy, agent):
    slow = PriorityFactory(name="کم", order=0)
    SLAPolicy.objects.create(name="کم", priority=slow, first_response_minutes=2400, resolution_minutes=4800)
    with time_machine.travel(at(23, 10), tick=False):
        ticket = make_ticket()
    with time_machine.travel(at(23, 11), tick=False):
        sla_services.sla_scan()
        ticket = services.ticket_change_priority(ticket=ticket, priority=slow, actor=agent)
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at is None and ticket.escalation_level == 1

"""SLA on tickets (F14, B4): due times on creation and recomputation, pause/resume, and the every-minute scan
that records warnings and breaches once and escalates.

`sla_apply`, `sla_on_status` and `sla_on_first_response` are called by the ticket services while they hold the
row lock; they set attributes and return the names of the fields they changed (the caller saves them).
`sla_scan` is the beat task's body: each mark is a conditional UPDATE that only one scan can win, so two beats
(or a scan run twice) record each warning, breach and escalation exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import events, sla
from ..models import SLA_PAUSED, SLA_RUNNING, Priority, Ticket, TicketEvent
from . import _common as c

if TYPE_CHECKING:
    from accounts.models import User

SLA_WARNING = "sla_warning"
SLA_BREACH = "sla_breach"
ESCALATED = "escalated"

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, RESOLUTION)

MOMENT_FIELDS = (
    "first_response_due",
    "first_response_warn_at",
    "resolution_due",
    "resolution_warn_at",
    "escalate_at",
)


# --- the timeline ----------------------------------------------------------------------------------------------


def _target_label(code: str) -> str:
    return gettext("first response") if code == FIRST_RESPONSE else gettext("resolution")


def _describe_warning(e: TicketEvent) -> str:
    return gettext("The %(target)s deadline (%(due)s) is near.") % {
        "target": _target_label(e.data.get("target")),
        "due": events._when(e.data.get("due")),
    }


def _describe_breach(e: TicketEvent) -> str:
    return gettext("The %(target)s deadline (%(due)s) has passed.") % {
        "target": _target_label(e.data.get("target")),
        "due": events._when(e.data.get("due")),
    }


def _describe_escalated(e: TicketEvent) -> str:
    if e.data.get("level") == 2:
        return gettext("Escalated to level 2: the managers were notified.")
    return gettext("Escalated to level 1: the department's supervisors were notified.")


events.register(SLA_WARNING, label=_("SLA warning"), describe=_describe_warning)
events.register(SLA_BREACH, label=_("SLA breached"), describe=_describe_breach)
events.register(ESCALATED, label=_("Escalated"), describe=_describe_escalated)


# --- due times ---------------------------------------------------------------------------------------------------


def _escalate_at(ticket: Ticket, moments: sla.Moments) -> dt.datetime | None:
    """Level 2 comes at the earlier level-2 moment of the targets still open."""
    candidates = [moments.resolution_level2_at]
    if ticket.first_response_at is None:
        candidates.append(moments.first_response_level2_at)
    return min((m for m in candidates if m is not None), default=None)


def sla_apply(ticket: Ticket, *, now: dt.datetime, calendar: sla.Calendar | None = None) -> list[str]:
    """(Re)compute the ticket's SLA moments from its policy (created_at + target + paused business time).

    Without a matching policy the due times stay as they are (possibly set by hand). A mark whose moment moved
    into the future is cleared, so the new deadline can be warned about and breached again. Returns the
    changed field names; call while holding the row lock (or on an unsaved ticket).
    """
    policy = sla.policy_for(priority_id=ticket.priority_id, department_id=ticket.department_id, type_id=ticket.type_id)
    changed: dict[str, object] = {}
    if (policy.pk if policy else None) != ticket.sla_policy_id:
        changed["sla_policy"] = policy
    if policy is not None:
        calendar = calendar or sla.load_calendar()
        moments = sla.compute_moments(
            calendar, start=ticket.created_at, paused_seconds=ticket.sla_paused_seconds, targets=policy.targets
        )
        values = {
            "first_response_due": moments.first_response_due,
            "first_response_warn_at": moments.first_response_warn_at,
            "resolution_due": moments.resolution_due,
            "resolution_warn_at": moments.resolution_warn_at,
            "escalate_at": _escalate_at(ticket, moments),
        }
        for name, value in values.items():
            if getattr(ticket, name) != value:
                changed[name] = value
        for target in TARGETS:
            due, warn = values[f"{target}_due"], values[f"{target}_warn_at"]
            if getattr(ticket, f"{target}_breached_at") and (due is None or due > now):
                changed[f"{target}_breached_at"] = None
            if getattr(ticket, f"{target}_warned_at") and (warn is None or warn > now):
                changed[f"{target}_warned_at"] = None
    for name, value in changed.items():
        setattr(ticket, name, value)
    return list(changed)


def sla_on_status(ticket: Ticket, *, old: str, new: str, now: dt.datetime) -> list[str]:
    """Pause the clock when the ticket starts waiting (for the customer, on hold, resolved) and resume it when
    work starts again, shifting every SLA moment by the business time spent paused."""
    if new in SLA_PAUSED and ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
        return ["sla_paused_at"]
    if new in SLA_RUNNING and ticket.sla_paused_at is not None:
        calendar = sla.load_calendar()
        paused = sla.business_seconds_between(calendar, ticket.sla_paused_at, now)
        ticket.sla_paused_at = None
        fields = ["sla_paused_at"]
        if paused:
            ticket.sla_paused_seconds += paused
            fields.append("sla_paused_seconds")
            for name in MOMENT_FIELDS:
                value = getattr(ticket, name)
                if value is not None:
                    setattr(ticket, name, sla.add_business_seconds(calendar, value, paused))
                    fields.append(name)
        return fields
    return []


def sla_on_first_response(ticket: Ticket) -> list[str]:
    """The first response is in: only the resolution target decides the level-2 escalation now."""
    if ticket.sla_policy_id is None or ticket.escalation_level >= 2:
        return []
    assert ticket.sla_policy is not None  # sla_policy_id was checked above
    moments = sla.compute_moments(
        sla.load_calendar(),
        start=ticket.created_at,
        paused_seconds=ticket.sla_paused_seconds,
        targets=ticket.sla_policy.targets,
    )
    value = _escalate_at(ticket, moments)
    if value == ticket.escalate_at:
        return []
    ticket.escalate_at = value
    return ["escalate_at"]


# --- how long it took (the reports' numbers) -------------------------------------------------------------------


def _paused_until(ticket: Ticket, calendar: sla.Calendar, moment: dt.datetime) -> int:
    """Business seconds the SLA clock stood still between the ticket's creation and `moment`."""
    paused = ticket.sla_paused_seconds
    if ticket.sla_paused_at is not None and ticket.sla_paused_at < moment:
        paused += sla.business_seconds_between(calendar, ticket.sla_paused_at, moment)
    return paused


def _took(ticket: Ticket, calendar: sla.Calendar, moment: dt.datetime) -> tuple[int, int]:
    """(wall-clock seconds, business seconds without paused time) from the ticket's creation to `moment`."""
    wall = max(0, int((moment - ticket.created_at).total_seconds()))
    business = sla.business_seconds_between(calendar, ticket.created_at, moment)
    return wall, max(0, business - _paused_until(ticket, calendar, moment))


def sla_times_first_response(ticket: Ticket, *, calendar: sla.Calendar | None = None) -> list[str]:
    """Record how long the first response took (`first_response_at` is set). Returns the changed fields."""
    if ticket.first_response_at is None:
        return []
    calendar = calendar or sla.load_calendar()
    ticket.first_response_seconds, ticket.first_response_business_seconds = _took(
        ticket, calendar, ticket.first_response_at
    )
    return ["first_response_seconds", "first_response_business_seconds"]


def sla_times_resolution(ticket: Ticket, *, calendar: sla.Calendar | None = None) -> list[str]:
    """Record how long the resolution took (`resolved_at` is set; call after the clock was paused for it), or
    clear it when the ticket was reopened (`resolved_at` is None). Returns the changed fields."""
    if ticket.resolved_at is None:
        ticket.resolution_seconds = ticket.resolution_business_seconds = None
    else:
        calendar = calendar or sla.load_calendar()
        ticket.resolution_seconds, ticket.resolution_business_seconds = _took(ticket, calendar, ticket.resolved_at)
    return ["resolution_seconds", "resolution_business_seconds"]


# --- the scan ----------------------------------------------------------------------------------------------------

BATCH = 500


@dataclass
class ScanResult:
    warned: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    escalated: list[tuple[int, int]] = field(default_factory=list)  # (ticket id, level)


def _running() -> Q:
    return Q(status__in=SLA_RUNNING, sla_paused_at__isnull=True)


def _warn_q(target: str, now: dt.datetime) -> Q:
    q = _running() & Q(**{f"{target}_warned_at__isnull": True, f"{target}_warn_at__lte": now, f"{target}_due__gt": now})
    if target == FIRST_RESPONSE:
        q &= Q(first_response_at__isnull=True)
    return q


def _breach_q(target: str, now: dt.datetime) -> Q:
    q = _running() & Q(**{f"{target}_breached_at__isnull": True, f"{target}_due__lte": now})
    if target == FIRST_RESPONSE:
        q &= Q(first_response_at__isnull=True)
    return q


def _level2_q(now: dt.datetime) -> Q:
    return _running() & Q(escalation_level=1, escalate_at__lte=now)


def _ids(q: Q, order: str) -> list[int]:
    return list(Ticket.objects.filter(q).order_by(order).values_list("pk", flat=True)[:BATCH])


def _mark(pk: int, q: Q, **values: object) -> bool:
    """The conditional UPDATE: True only for the one caller that changed the row."""
    return Ticket.objects.filter(q, pk=pk).update(**values) == 1


def _load(pk: int) -> Ticket:
    return Ticket.objects.select_related("department", "assignee", "priority", "sla_policy").get(pk=pk)


def _ids_of(users: Iterable[User | None]) -> list[int]:
    seen: list[int] = []
    for user in users:
        if user is not None and user.pk not in seen:
            seen.append(user.pk)
    return seen


def _supervisors(ticket: Ticket) -> list:
    return list(ticket.department.supervisors.filter(is_active=True).order_by("pk"))


def _managers() -> list:
    from accounts.models import Role, User

    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))


def _record(ticket: Ticket, kind: str, *, recipients: list[int], **data: object) -> TicketEvent:
    return c.emit(events.record(ticket=ticket, kind=kind, actor=None, data={**data, "recipients": recipients}))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _warn(pk: int, target: str, now: dt.datetime) -> bool:
    with transaction.atomic():
        if not _mark(pk, _warn_q(target, now), **{f"{target}_warned_at": now}):
            return False
        ticket = _load(pk)
        people = [ticket.assignee] if ticket.assignee_id else list(ticket.department.members.filter(is_active=True))
        _record(
            ticket, SLA_WARNING, recipients=_ids_of(people), target=target, due=_iso(getattr(ticket, f"{target}_due"))
        )
    return True


def _breach(pk: int, target: str, now: dt.datetime, result: ScanResult) -> bool:
    with transaction.atomic():
        if not _mark(pk, _breach_q(target, now), **{f"{target}_breached_at": now}):
            return False
        ticket = _load(pk)
        supervisors = _supervisors(ticket)
        _record(
            ticket,
            SLA_BREACH,
            recipients=_ids_of([ticket.assignee, *supervisors]),
            target=target,
            due=_iso(getattr(ticket, f"{target}_due")),
        )
        if _mark(pk, _running() & Q(escalation_level=0), escalation_level=1):
            ticket.escalation_level = 1
            _record(ticket, ESCALATED, recipients=_ids_of(supervisors), level=1, target=target)
            result.escalated.append((pk, 1))
            _breach_actions(ticket, supervisors)
    return True


def _breach_actions(ticket: Ticket, supervisors: list) -> None:
    """What the policy asks for at the first breach, through the ordinary services (actor None: the system),
    so the changes appear on the timeline like anyone else's."""
    from .fields import ticket_change_priority
    from .workflow import ticket_assign

    policy = ticket.sla_policy
    if policy is None:
        return
    if policy.raise_priority_on_breach and ticket.priority is not None:
        higher = Priority.objects.active().filter(order__gt=ticket.priority.order).order_by("order", "pk").first()
        if higher is not None:
            ticket = ticket_change_priority(ticket=ticket, priority=higher, actor=None)
    if policy.reassign_on_breach and supervisors:
        supervisor_ids = {s.pk for s in supervisors}
        if ticket.assignee_id not in supervisor_ids:
            ticket_assign(ticket=ticket, agent=supervisors[0], actor=None)


def _level2(pk: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        if not _mark(pk, _level2_q(now), escalation_level=2):
            return False
        ticket = _load(pk)
        _record(ticket, ESCALATED, recipients=_ids_of(_managers()), level=2)
    return True


def sla_scan(*, now: dt.datetime | None = None) -> ScanResult:
    """Find running tickets past their warning, due or level-2 moments and record each once (at most BATCH of
    each kind per run; the next run continues). Breaches come before warnings so a ticket found late is not
    warned about a deadline that already passed."""
    now = now or timezone.now()
    result = ScanResult()
    for target in TARGETS:
        for pk in _ids(_breach_q(target, now), f"{target}_due"):
            if _breach(pk, target, now, result):
                result.breached.append(pk)
    for target in TARGETS:
        for pk in _ids(_warn_q(target, now), f"{target}_warn_at"):
            if _warn(pk, target, now):
                result.warned.append(pk)
    for pk in _ids(_level2_q(now), "escalate_at"):
        if _level2(pk, now):
            result.escalated.append((pk, 2))
    return result


# --- holidays ----------------------------------------------------------------------------------------------------


@dataclass
class HolidayImport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)


ERR_HOLIDAY_LINE = _("Line %(line)s: %(error)s")


def holiday_import(*, text: str) -> HolidayImport:
    """Holidays from lines of `<Jalali date> <name>` (`۱۴۰۵/۰۱/۰۱ نوروز`, any digits; blank lines ignored).
    All lines are checked first: one bad line raises ValidationError listing every bad line and saves nothing.
    A date already present gets the new name."""
    from django.core.exceptions import ValidationError

    from helpdesk.jalali import JalaliDateError, parse_jalali_date
    from helpdesk.l10n import digits

    from ..models import Holiday

    parsed: dict = {}
    errors = []
    for number, raw in enumerate(str(text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        day_text, _sep, name = line.partition(" ")
        try:
            parsed[parse_jalali_date(day_text)] = " ".join(name.split())[:120]
        except JalaliDateError as exc:
            errors.append(ValidationError(ERR_HOLIDAY_LINE, params={"line": digits(number), "error": str(exc)}))
    if errors:
        raise ValidationError(errors)
    result = HolidayImport()
    with transaction.atomic():
        for day, name in parsed.items():
            holiday, created = Holiday.objects.update_or_create(date=day, defaults={"name": name})
            (result.created if created else result.updated).append(holiday)
    return result

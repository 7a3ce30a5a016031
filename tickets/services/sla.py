"""SLA on tickets (F14, B4): due times on creation and recomputation, pause/resume, and the every-minute scan
that records warnings and breaches once and escalates.

`sla_apply`, `sla_on_status` and `sla_on_first_response` are called by the ticket services while they hold the
row lock; they set attributes and return the names of the fields they changed (the caller saves them).
`sla_scan` is the beat task's body: each mark is a conditional UPDATE that only one scan can win, so two beats
(or a scan run twice) record each warning, breach and escalation exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from helpdesk.l10n import format_number
from notifications import outbox

from .. import events, sla
from ..filters import VIEW_DUE_SOON
from ..models import SLA_PAUSED, SLA_RUNNING, Priority, Ticket, TicketEvent
from . import _common as c

logger = logging.getLogger(__name__)

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

# Tickets marked per transaction: one batch costs the same fixed number of queries whatever its size (a conditional
# UPDATE … RETURNING, the tickets with their people, one bulk insert of events and one of notifications), plus the
# services the policy's breach actions call.
BATCH = 500
# A scan starts no new batch after this many seconds (the next beat continues), well inside the Celery task's soft
# time limit (CELERY_TASK_SOFT_TIME_LIMIT, 240 s); a batch of 500 takes a few seconds.
BUDGET_SECONDS = 150.0
LOCK_NAME = "tickets.sla_scan"


@dataclass
class ScanResult:
    warned: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    escalated: list[tuple[int, int]] = field(default_factory=list)  # (ticket id, level)
    skipped: bool = False  # another scan held the lock: this one did nothing
    finished: bool = True  # False when the time budget ran out with work left (the next run continues)


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
    return list(Ticket.objects.filter(q).order_by(order, "pk").values_list("pk", flat=True)[:BATCH])


def _mark(ids: list[int], q: Q, **values: object) -> list[int]:
    """The conditional UPDATE … RETURNING over a batch: the ids of the rows this caller changed, in `ids` order.

    The condition is on the ticket's own columns only, so PostgreSQL re-checks it on a row another scan changed
    meanwhile (READ COMMITTED) and SQLite runs one writer at a time: a row is marked by exactly one caller."""
    if not ids:
        return []
    query = Ticket.objects.filter(q, pk__in=ids).query
    compiler = query.get_compiler(using=Ticket.objects.db)
    where, where_params = compiler.compile(query.where)
    quote = connection.ops.quote_name
    columns, params = [], []
    for name, value in values.items():
        model_field = Ticket._meta.get_field(name)
        assert isinstance(model_field, Field) and model_field.column  # a concrete column of the ticket
        columns.append(f"{quote(model_field.column)} = %s")
        params.append(model_field.get_db_prep_save(value, connection))
    table = quote(Ticket._meta.db_table)
    # Django's own SQL for the condition, its values bound as parameters: nothing typed by a person is pasted.
    sql = f"UPDATE {table} SET {', '.join(columns)} WHERE {where} RETURNING {quote('id')}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        changed = {row[0] for row in cursor.fetchall()}
    return [pk for pk in ids if pk in changed]


def _load(ids: list[int]) -> list[Ticket]:
    """The marked tickets, in `ids` order, with what their events and notifications need (four queries)."""
    active = User.objects.filter(is_active=True)
    related = Ticket.objects.select_related("department", "assignee", "priority", "sla_policy")
    # The search text may be large and nothing here reads it; in_bulk needs no order.
    tickets = (
        related.defer("search_document")
        .order_by()
        .prefetch_related(
            Prefetch("department__supervisors", queryset=active.order_by("pk"), to_attr="active_supervisors"),
            Prefetch("department__members", queryset=active, to_attr="active_members"),
        )
    )
    by_pk = tickets.in_bulk(ids)
    loaded = [by_pk[pk] for pk in ids]
    from ..notifications import preload_thread_roots

    preload_thread_roots(loaded)
    return loaded


def _ids_of(users: Iterable[User | None]) -> list[User]:
    """The users, each once, in order (None left out)."""
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _supervisors(ticket: Ticket) -> list[User]:
    return ticket.department.active_supervisors  # type: ignore[attr-defined]  # the Prefetch's to_attr (_load)


def _managers() -> list[User]:
    from accounts.models import Role

    return list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))


def _event(ticket: Ticket, kind: str, *, recipients: list[User], **data: object) -> TicketEvent:
    from ..notifications import with_recipients

    event = events.build(
        ticket=ticket, kind=kind, actor=None, data={**data, "recipients": [user.pk for user in recipients]}
    )
    return with_recipients(event, recipients)


# --- the digest: one summary instead of hundreds of notifications to one person ----------------------------------

DIGEST = "sla_digest"  # the kind of the summary's outbox rows


def _warned_text(count: int) -> str:
    return ngettext(
        "%(count)s ticket is close to its SLA deadline.", "%(count)s tickets are close to their SLA deadline.", count
    ) % {"count": format_number(count)}


def _breached_text(count: int) -> str:
    return ngettext("%(count)s ticket breached its SLA.", "%(count)s tickets breached their SLA.", count) % {
        "count": format_number(count)
    }


def _level2_text(count: int) -> str:
    return ngettext(
        "%(count)s ticket was escalated to level 2.", "%(count)s tickets were escalated to level 2.", count
    ) % {"count": format_number(count)}


@dataclass(frozen=True)
class Digest:
    """What a batch's summary says: a title, the sentence for N tickets, and the queue's view that lists them."""

    title: Any  # a lazy translation
    text: Callable[[int], str]  # called in the recipient's language
    view: str  # the queue's query string


WARNED = Digest(_("SLA deadlines near"), _warned_text, f"?view={VIEW_DUE_SOON}")
BREACHED = Digest(_("SLA breaches"), _breached_text, "?overdue=on")
LEVEL2 = Digest(_("Level-2 escalations"), _level2_text, "?overdue=on")


def digest_threshold() -> int:
    return int(getattr(settings, "SLA_DIGEST_THRESHOLD", 20))


def _record(built: list[TicketEvent], digest: Digest) -> None:
    """The batch's events in one insert, then their notifications in one insert (delivered by the workers after
    commit, like every outbox row). A person the batch would notify more than `SLA_DIGEST_THRESHOLD` times gets one
    summary per channel of their SLA preferences instead («N tickets breached their SLA», linking to the queue);
    the events stay on each ticket's timeline, naming them among the recipients."""
    from ..notifications import SLA, recipients_of, with_recipients

    threshold = digest_threshold()
    counts = Counter(user.pk for event in built for user in recipients_of(event))
    many = {pk for pk, count in counts.items() if count > threshold}
    summarised: dict[int, tuple[User, set[int]]] = {}
    for event in built:
        told = recipients_of(event)
        for user in told:
            if user.pk in many:
                summarised.setdefault(user.pk, (user, set()))[1].add(event.ticket_id)
        with_recipients(event, [user for user in told if user.pk not in many])
    c.emit_many(events.record_many(built))
    by_count: dict[int, list[User]] = {}
    for user, tickets in summarised.values():
        by_count.setdefault(len(tickets), []).append(user)
    link = reverse("tickets:queue") + digest.view if by_count else ""
    for count, users in by_count.items():
        text = lazy(digest.text, str)(count)
        outbox.notify_users(users=users, kind=DIGEST, title=digest.title, text=text, link=link, group=SLA)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _warn_batch(ids: list[int], target: str, now: dt.datetime) -> list[int]:
    with transaction.atomic():
        marked = _mark(ids, _warn_q(target, now), **{f"{target}_warned_at": now})
        if not marked:
            return []
        built = []
        for ticket in _load(marked):
            people = [ticket.assignee] if ticket.assignee_id else ticket.department.active_members  # type: ignore[attr-defined]
            due = _iso(getattr(ticket, f"{target}_due"))
            built.append(_event(ticket, SLA_WARNING, recipients=_ids_of(people), target=target, due=due))
        _record(built, WARNED)
    return marked


def _breach_batch(ids: list[int], target: str, now: dt.datetime, result: ScanResult) -> list[int]:
    with transaction.atomic():
        marked = _mark(ids, _breach_q(target, now), **{f"{target}_breached_at": now})
        if not marked:
            return []
        escalated = set(_mark(marked, _running() & Q(escalation_level=0), escalation_level=1))
        tickets = _load(marked)
        built = []
        for ticket in tickets:
            supervisors = _supervisors(ticket)
            due = _iso(getattr(ticket, f"{target}_due"))
            people = _ids_of([ticket.assignee, *supervisors])
            built.append(_event(ticket, SLA_BREACH, recipients=people, target=target, due=due))
            if ticket.pk in escalated:
                built.append(_event(ticket, ESCALATED, recipients=_ids_of(supervisors), level=1, target=target))
        _record(built, BREACHED)
        for ticket in tickets:
            if ticket.pk in escalated:
                result.escalated.append((ticket.pk, 1))
                _breach_actions(ticket, _supervisors(ticket))
    return marked


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


def _level2_batch(ids: list[int], now: dt.datetime) -> list[int]:
    with transaction.atomic():
        marked = _mark(ids, _level2_q(now), escalation_level=2)
        if not marked:
            return []
        managers = _managers()
        _record([_event(ticket, ESCALATED, recipients=managers, level=2) for ticket in _load(marked)], LEVEL2)
    return marked


@contextmanager
def scan_lock() -> Iterator[bool]:
    """Held by one scan at a time across processes: True when this caller got it, False when another scan holds
    it. PostgreSQL: a session advisory lock; SQLite: an exclusive `flock` on a file in the temporary directory,
    named after the database's path. Both go with the process that held them, so a killed worker leaves no stale
    lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_NAME])
            held = bool(cursor.fetchone()[0])
        try:
            yield held
        finally:
            if held:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [LOCK_NAME])
        return
    import fcntl
    import hashlib
    import tempfile
    from pathlib import Path

    name = hashlib.sha256(str(connection.settings_dict["NAME"]).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"helpdesk-{LOCK_NAME}-{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sla_scan(*, now: dt.datetime | None = None, budget_seconds: float = BUDGET_SECONDS) -> ScanResult:
    """Find running tickets past their due, warning or level-2 moments and record each once, batch after batch
    (BATCH tickets a transaction) until none is left or `budget_seconds` are spent (the next run continues).
    Breaches come before warnings so a ticket found late is not warned about a deadline that already passed.
    A scan that finds another one running does nothing (`skipped`)."""
    now = now or timezone.now()
    result = ScanResult()
    deadline = time.monotonic() + budget_seconds
    with scan_lock() as held:
        if not held:
            logger.info("SLA scan skipped: another scan is running")
            result.skipped = True
            return result
        passes: list[tuple[Q, str, Callable[[list[int]], list[int]], list]] = [
            *(
                (
                    _breach_q(t, now),
                    f"{t}_due",
                    partial(_breach_batch, target=t, now=now, result=result),
                    result.breached,
                )
                for t in TARGETS
            ),
            *(
                (_warn_q(t, now), f"{t}_warn_at", partial(_warn_batch, target=t, now=now), result.warned)
                for t in TARGETS
            ),
        ]
        for q, order, run, done in passes:
            if not _drain(q, order, run, done, deadline, result):
                return result
        level2: list[int] = []
        _drain(_level2_q(now), "escalate_at", partial(_level2_batch, now=now), level2, deadline, result)
        result.escalated += [(pk, 2) for pk in level2]
    return result


def _drain(
    q: Q, order: str, run: Callable[[list[int]], list[int]], done: list, deadline: float, result: ScanResult
) -> bool:
    """Run batches of one kind until none is due; False when the time budget ran out first."""
    while True:
        ids = _ids(q, order)
        if not ids:
            return True
        if time.monotonic() > deadline:
            result.finished = False
            return False
        done += run(ids)


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

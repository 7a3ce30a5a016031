"""Building the daily roll-up (`DailyTicketStat`, and its sums per department and channel, `DailyDepartmentStat`)
from the live tables: `rebuild` replaces the rows of a run of days, `refresh` (the beat task, every few minutes)
rebuilds the days whose numbers may have changed since it last ran, `rebuild_all` (the command
`rebuild_report_stats`, and the first `refresh`) every day up to yesterday.

A day's numbers change when one of its tickets changes: every change the numbers depend on (a reply, a status
change, a transfer or assignment, a priority or type change, an SLA breach or escalation, a merge) writes a
timeline event, so the tickets with events since the last run are the changed ones, and their days are the day
they were created, the day they were resolved and the days of their status changes (a transferred ticket counts
where it ended, on every one of its days). Today is never rolled up: the pages read it from the live tables."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from helpdesk.l10n import TEHRAN
from tickets.models import Ticket, TicketEvent

from . import periods
from .filters import Filters
from .models import DailyDepartmentStat, DailyTicketStat, StatsState
from .selectors import FINISHED, FR_BREACHED, FR_MET, FR_TARGET, REOPENED, RES_BREACHED, RES_MET, RES_TARGET, tehran_day

KEYS = ("department_id", "assignee_id", "priority_id", "type_id", "channel")
CREATED = {
    "created": Q(),
    "fr_target": FR_TARGET,
    "fr_met": FR_MET,
    "fr_breached": FR_BREACHED,
    "escalated": Q(escalation_level__gte=1),
    "escalated_managers": Q(escalation_level__gte=2),
}
RESOLVED = {"resolved": Q(), "res_target": RES_TARGET, "res_met": RES_MET, "res_breached": RES_BREACHED}
CHANGES = {"finished": FINISHED, "reopened": REOPENED}
# Events are read again from this long before the last run: a transaction still open then commits them later.
OVERLAP = dt.timedelta(minutes=10)
CHUNK_DAYS = 31
TABLES = (DailyTicketStat, DailyDepartmentStat)


def tehran_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TEHRAN).date()


def _grouped(queryset: QuerySet, field: str, f: Filters, keys: dict[str, str], counts: dict[str, Q]) -> Iterator:
    """(day, key values, {count: n}) per Tehran day of `field` and the ticket's attributes (`keys`: ours → theirs)."""
    rows = (
        queryset.filter(f.between(field))
        .annotate(_day=tehran_day(field, f, queryset))
        .values("_day", *keys.values())
        .annotate(**{name: Count("pk", filter=q) if q else Count("pk") for name, q in counts.items()})
        .order_by()
    )
    for row in rows:
        yield (row["_day"], *(row[theirs] for theirs in keys.values())), {name: row[name] for name in counts}


def _lock() -> None:
    """Rebuilds one at a time (a beat run and the command may overlap): each deletes and rewrites days, and two
    at once would write a day twice. PostgreSQL: a transaction-level advisory lock, released at commit; SQLite:
    the transaction already holds the database's write lock from its start (`transaction_mode: IMMEDIATE`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('reports.stats.rebuild'))")


def rebuild(first: dt.date, last: dt.date) -> int:
    """Replace the roll-up's rows of the days `first`..`last` with what the live tables say now (three GROUP BY
    queries, a delete and a batched insert per table, in one transaction under `_lock`). Returns the number of
    `DailyTicketStat` rows written."""
    f = Filters(first=first, last=last, preset=periods.CUSTOM, by=periods.DAY)
    tickets = Ticket.objects.filter(merged_into__isnull=True).order_by()
    changes = TicketEvent.objects.filter(kind="status", ticket__merged_into__isnull=True).order_by()
    own = {key: key for key in KEYS}
    sources = [
        (tickets, "created_at", own, CREATED),
        (tickets, "resolved_at", own, RESOLVED),
        (changes, "created_at", {key: f"ticket__{key}" for key in KEYS}, CHANGES),
    ]
    with transaction.atomic():
        _lock()  # before reading: a rebuild that held the lock has committed what it read
        rows: dict[tuple, Counter] = defaultdict(Counter)
        for queryset, field, keys, counts in sources:
            for key, numbers in _grouped(queryset, field, f, keys, counts):
                rows[key].update(numbers)
        stats = [
            DailyTicketStat(day=key[0], **dict(zip(KEYS, key[1:], strict=True)), **numbers)
            for key, numbers in rows.items()
            if any(numbers.values())
        ]
        per_department: dict[tuple, Counter] = defaultdict(Counter)
        for (day, department, *_rest, channel), numbers in rows.items():  # KEYS: department first, channel last
            per_department[day, department, channel].update(numbers)
        for model in TABLES:
            model.objects.filter(day__gte=first, day__lte=last).delete()
        DailyTicketStat.objects.bulk_create(stats, batch_size=1000)
        DailyDepartmentStat.objects.bulk_create(
            [
                DailyDepartmentStat(day=day, department_id=pk, channel=channel, **numbers)
                for (day, pk, channel), numbers in per_department.items()
                if any(numbers.values())
            ],
            batch_size=1000,
        )
    return len(stats)


def _runs(days: Iterable[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs of at most CHUNK_DAYS days."""
    run: list[dt.date] = []
    for day in sorted(set(days)):
        if run and (day != run[-1] + dt.timedelta(days=1) or len(run) == CHUNK_DAYS):
            yield run[0], run[-1]
            run = []
        run.append(day)
    if run:
        yield run[0], run[-1]


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _save_state(through: dt.date, now: dt.datetime) -> None:
    StatsState.objects.update_or_create(pk=1, defaults={"built_through": through, "checked_at": now})


def rebuild_all(since: dt.date | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Every day from `since` (default: the first ticket's) up to yesterday; then the roll-up is current."""
    now = now or timezone.now()
    yesterday = tehran_date(now) - dt.timedelta(days=1)
    if since is None:
        earliest = Ticket.objects.aggregate(first=Min("created_at"))["first"]
        since = tehran_date(earliest) if earliest else yesterday
        for model in TABLES:
            model.objects.filter(day__lt=since).delete()
    days = _span(since, yesterday) if since <= yesterday else []
    written = sum(rebuild(first, last) for first, last in _runs(days))
    _save_state(yesterday, now)
    return {"days": len(days), "rows": written}


def touched_days(since: dt.datetime) -> set[dt.date]:
    """The days of the tickets with timeline events from `since` on: created, resolved, status changes."""
    changed = TicketEvent.objects.filter(created_at__gte=since).values("ticket_id")
    days: set[dt.date] = set()
    for created, resolved in Ticket.objects.filter(pk__in=changed).values_list("created_at", "resolved_at"):
        days.update(tehran_date(moment) for moment in (created, resolved) if moment)
    moments = TicketEvent.objects.filter(ticket_id__in=changed, kind="status").values_list("created_at", flat=True)
    days.update(tehran_date(moment) for moment in moments)
    return days


def refresh(now: dt.datetime | None = None) -> dict[str, int]:
    """The beat task's body: the days that may have changed since the last run, and the days that ended since
    then; everything the first time."""
    now = now or timezone.now()
    state = StatsState.objects.first()
    if state is None:
        return rebuild_all(now=now)
    yesterday = tehran_date(now) - dt.timedelta(days=1)
    days = touched_days(state.checked_at - OVERLAP)
    if state.built_through < yesterday:
        days.update(_span(state.built_through + dt.timedelta(days=1), yesterday))
    days = {day for day in days if day <= yesterday}
    written = sum(rebuild(first, last) for first, last in _runs(days))
    _save_state(yesterday, now)
    return {"days": len(days), "rows": written}

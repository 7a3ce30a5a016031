"""The reports' numbers, all aggregated in the database: GROUP BY over indexed columns, dates bucketed by the
Tehran-local day (`TruncDate(…, tzinfo=Asia/Tehran)`), conditional counts for several numbers in one pass, and
percentiles (median, p90) exact: PostgreSQL's `percentile_cont`, and on SQLite window functions that return only
the rows around each percentile, interpolated in Python the same way. No function here loads ticket rows
to count them; each runs a fixed number of queries whatever the data or the range.

Durations are the columns the ticket services write when a first response or a resolution happens
(`first_response_seconds`, `first_response_business_seconds`, `resolution_seconds`,
`resolution_business_seconds`): business time is on the SLA calendar (the Iranian week, holidays) without the
time the clock was paused. Cohorts: first-response numbers are about the tickets *created* in the range,
resolution numbers about the tickets *resolved* in it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, RowNumber, TruncDate
from django.utils import timezone

from helpdesk.l10n import TEHRAN
from knowledgebase.models import Article, SearchStat, SuggestionOpen, SuggestionSession
from knowledgebase.selectors import SUGGESTION_DECISION_WINDOW, article_ratings
from limits.models.increase import OPEN_STATES, State
from tickets.models import ACTIVE_STATUSES, Status

from .filters import Filters
from .permissions import Scope

# --- SLA outcomes (conditions on ticket rows) ---------------------------------------------------------------------

FR_TARGET = Q(first_response_due__isnull=False)
FR_MET = FR_TARGET & Q(first_response_at__isnull=False, first_response_at__lte=F("first_response_due"))
FR_BREACHED = FR_TARGET & (
    Q(first_response_at__gt=F("first_response_due"))
    | Q(first_response_at__isnull=True, first_response_breached_at__isnull=False)
)
RES_TARGET = Q(resolution_due__isnull=False, resolved_at__isnull=False)
RES_MET = RES_TARGET & Q(resolved_at__lte=F("resolution_due"))
RES_BREACHED = RES_TARGET & Q(resolved_at__gt=F("resolution_due"))
REOPENED = Q(kind="status", data__old="resolved", data__new="open")
# A status change that ends the work on a ticket: from a working status to resolved or closed.
FINISHED = Q(
    kind="status",
    data__old__in=[str(s) for s in ACTIVE_STATUSES],
    data__new__in=[str(Status.RESOLVED), str(Status.CLOSED)],
)


def tickets(scope: Scope, f: Filters) -> QuerySet:
    """The scope's tickets with the page's filters (any date)."""
    return f.apply(scope.tickets()).order_by()


# --- the daily roll-up ---------------------------------------------------------------------------------------------
# With the roll-up current (`f.rolled`: the last day it holds, yesterday), the counts of the range's past days come
# from its rows (`reports.models.DailyTicketStat` or `DailyDepartmentStat`, built by `reports.stats`) and the rest
# — today — from the same queries over the live tables as without it (the `_…` functions); percentiles and lists
# always from the live tables. Each function below is one query over the roll-up plus the live function's, whatever
# the range.


def _rolled(scope: Scope, f: Filters, *, per_department: bool = False) -> QuerySet | None:
    """The roll-up's rows of the scope with the page's filters from the range's first day on, or None when the
    roll-up cannot answer (not current, an organisation filter, or a range that starts after it). With
    `per_department` (the caller sums per day, department or channel only), the rows per day, department and
    channel when nothing else narrows them: a few a day and department instead of one per ticket and day."""
    if f.rolled is None or f.first > f.rolled:
        return None
    coarse = per_department and not scope.is_agent and set(f.dimensions) <= {"department_id", "channel"}
    return f.apply(scope.stats(per_department=coarse)).filter(day__gte=f.first, day__lte=f.rolled).order_by()


def _after(f: Filters) -> Filters:
    """The days after the roll-up's last one, for the live tables (the range's own days, if it reaches them)."""
    assert f.rolled is not None
    first = f.rolled + dt.timedelta(days=1)
    return replace(f, first=first, last=max(f.last, first), rolled=None)


def _in_range(f: Filters) -> Q:
    return Q(day__lte=f.last)


def _in_range_unless_all(f: Filters) -> Q | None:
    """`_in_range`, or None when every day of the roll-up's rows is in the range (a range up to today): a
    condition per sum costs SQLite as much again as the sums."""
    assert f.rolled is not None
    return _in_range(f) if f.last < f.rolled else None


def _sums(names: Iterable[str], condition: Q | None = None) -> dict[str, Coalesce]:
    """Sums of the roll-up's columns, named `sum_<column>` (an annotation may not take a column's name)."""
    return {f"sum_{name}": Coalesce(Sum(name, filter=condition), 0) for name in names}


def _summed(row: dict) -> dict:
    """A row of `_sums` with the columns' own names back."""
    return {key.removeprefix("sum_"): value for key, value in row.items()}


def _per_day(rows: QuerySet, names: Sequence[str]) -> dict[str, dict[dt.date, int]]:
    """{column: {day: sum}} of the roll-up's rows per day (days with nothing left out). One query."""
    result: dict[str, dict[dt.date, int]] = {name: {} for name in names}
    for row in map(_summed, rows.values("day").annotate(**_sums(names))):
        for name in names:
            if row[name]:
                result[name][row["day"]] = row[name]
    return result


def _add(into: dict[str, dict[dt.date, int]], more: dict[str, dict[dt.date, int]]) -> None:
    for name, days in more.items():
        for day, n in days.items():
            into[name][day] = into[name].get(day, 0) + n


# --- building blocks -----------------------------------------------------------------------------------------------


class _OffsetDate(Func):
    """SQLite: the date of a stored UTC datetime shifted by a fixed offset, with SQLite's own `date()`."""

    function = "DATE"
    output_field = DateField()

    def __init__(self, field: str, minutes: int):
        super().__init__(F(field), Value(f"{minutes:+d} minutes"))


def tehran_day(field: str, f: Filters, queryset: QuerySet) -> Func:
    """The Tehran-local day of `field`. Django's `TruncDate(tzinfo=…)` is exact everywhere; on SQLite it is a
    Python function called per row, so when Tehran's UTC offset is the same on every day of the range (it has been
    +03:30 all year since 2022) SQLite's native `date(field, '+210 minutes')` gives the same days far faster."""
    if connections[queryset.db].vendor == "sqlite":
        offsets = {
            (dt.datetime.combine(day, dt.time(), tzinfo=TEHRAN).utcoffset())
            for day in [*f.buckets.days, f.last + dt.timedelta(days=1)]
        }
        if len(offsets) == 1:
            offset = offsets.pop()
            assert offset is not None  # TEHRAN is an aware zone
            return _OffsetDate(field, int(offset.total_seconds() // 60))
    return TruncDate(field, tzinfo=TEHRAN)


def daily(queryset: QuerySet, field: str, f: Filters, **counts: Q) -> dict[str, dict[dt.date, int]]:
    """Per Tehran day of `field` within the range: one count per keyword (a condition, or `Q()` for all rows)."""
    rows = (
        queryset.filter(f.between(field))
        .annotate(_day=tehran_day(field, f, queryset))
        .values("_day")
        .annotate(**{name: Count("pk", filter=q) if q else Count("pk") for name, q in counts.items()})
        .order_by()
    )
    result: dict[str, dict[dt.date, int]] = {name: {} for name in counts}
    for row in rows:
        for name in counts:
            result[name][row["_day"]] = row[name]
    return result


@dataclass(frozen=True)
class Spread:
    """How many values, and their percentiles (None without values)."""

    n: int
    # The field's own type: seconds (int, or float between two ranks) or a timedelta for a duration expression.
    median: Any = None
    p90: Any = None


PERCENTS = (50, 90)


class _PercentileCont(Aggregate):
    """PostgreSQL's exact percentile, an ordered-set aggregate: `percentile_cont(p) WITHIN GROUP (ORDER BY x)`
    (the aggregates of one column share its sort). Seconds come back as floats, durations as timedeltas."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, name: str, percent: int):
        super().__init__(F(name), fraction=f"{percent / 100}")


def percentiles(queryset: QuerySet, fields: Sequence[str], *, by: str | None = None) -> dict[object, dict[str, Spread]]:
    """{group: {field: Spread}} of each field (all non-null together, e.g. the wall-clock and business seconds of
    the same event), grouped by `by` (None: one group, key None). One query: `percentile_cont` on PostgreSQL, the
    same numbers from window functions on SQLite (`_ranked`). Neither reads the ticket's id, so an index holding
    the filter's and the fields' columns answers it alone (the reports' indexes on `tickets.Ticket`)."""
    qs = queryset.filter(**{f"{name}__isnull": False for name in fields}).order_by()
    if connections[qs.db].vendor != "postgresql":
        return _ranked(qs, fields, by)
    aggregates = {
        f"_p{i}_{percent}": _PercentileCont(name, percent) for i, name in enumerate(fields) for percent in PERCENTS
    }
    rows = qs.values(by).annotate(_n=Count("*"), **aggregates) if by else [qs.aggregate(_n=Count("*"), **aggregates)]
    return {
        row[by] if by else None: {
            name: Spread(row["_n"], *(row[f"_p{i}_{percent}"] for percent in PERCENTS)) for i, name in enumerate(fields)
        }
        for row in rows
        if row["_n"]
    }


def _ranked(qs: QuerySet, fields: Sequence[str], by: str | None) -> dict[object, dict[str, Spread]]:
    """`percentiles` with window functions (`ROW_NUMBER() OVER (ORDER BY …)`, `COUNT(*) OVER ()`): the database
    sorts and returns only the two rows around each percentile, and Python interpolates between them exactly like
    PostgreSQL's `percentile_cont`."""
    partition = [F(by)] if by else []
    annotations = {"_n": Window(Count("*"), partition_by=partition)}
    for i, name in enumerate(fields):
        annotations[f"_rn{i}"] = Window(RowNumber(), partition_by=partition, order_by=[F(name).asc()])
    qs = qs.annotate(**annotations)
    wanted = Q()
    for i in range(len(fields)):
        for percent in PERCENTS:
            k = (F("_n") - 1) * percent / 100  # integer division on both databases: floor((n - 1) × p)
            wanted |= Q(**{f"_rn{i}": k + 1}) | Q(**{f"_rn{i}": k + 2})
    columns = ["_n", *fields, *(f"_rn{i}" for i in range(len(fields)))]
    seen: dict[object, dict] = defaultdict(lambda: {"n": 0, "at": defaultdict(dict)})
    for row in qs.filter(wanted).values_list(*([by] if by else []), *columns):
        key, row = (row[0], row[1:]) if by else (None, row)
        group = seen[key]
        group["n"] = row[0]
        values, ranks = row[1 : 1 + len(fields)], row[1 + len(fields) :]
        for i, (value, rank) in enumerate(zip(values, ranks, strict=True)):
            group["at"][i][rank] = value
    result = {}
    for key, group in seen.items():
        n = group["n"]
        result[key] = {
            name: Spread(n, *(_interpolate(group["at"][i], n, p) for p in PERCENTS)) for i, name in enumerate(fields)
        }
    return result


def _interpolate(at: dict[int, Any], n: int, percent: int) -> Any:
    """PostgreSQL's percentile_cont: between the ranks floor(h)+1 and floor(h)+2, h = (n − 1) × p."""
    low, rest = divmod((n - 1) * percent, 100)
    first = at[low + 1]
    if not rest or low + 2 not in at:
        return first
    return first + (at[low + 2] - first) * (rest / 100)


def spread(result: dict, group: object, field: str) -> Spread:
    return result.get(group, {}).get(field) or Spread(0)


# --- totals and SLA -------------------------------------------------------------------------------------------


def _totals(scope: Scope, f: Filters) -> dict[str, int]:
    """Created and resolved in the range, their SLA outcomes, escalations, and what was created from the range's
    start until now (with the tickets open now and `volume`'s status changes since then, it starts the backlog
    line). One query over the tickets created or resolved since the range's start (indexed)."""
    created, resolved = f.between("created_at"), f.between("resolved_at")
    since = Q(created_at__gte=f.start) | Q(resolved_at__gte=f.start)
    return (
        tickets(scope, f)
        .filter(since)
        .aggregate(
            created=Count("pk", filter=created),
            resolved=Count("pk", filter=resolved),
            fr_target=Count("pk", filter=created & FR_TARGET),
            fr_met=Count("pk", filter=created & FR_MET),
            fr_breached=Count("pk", filter=created & FR_BREACHED),
            res_target=Count("pk", filter=resolved & RES_TARGET),
            res_met=Count("pk", filter=resolved & RES_MET),
            res_breached=Count("pk", filter=resolved & RES_BREACHED),
            escalated=Count("pk", filter=created & Q(escalation_level__gte=1)),
            escalated_managers=Count("pk", filter=created & Q(escalation_level__gte=2)),
            created_since=Count("pk", filter=Q(created_at__gte=f.start)),
        )
    )


TOTALS = ("created", "resolved", "fr_target", "fr_met", "fr_breached", "res_target", "res_met", "res_breached",
          "escalated", "escalated_managers")  # fmt: skip


def totals(scope: Scope, f: Filters) -> dict[str, int]:
    """As `_totals`: the roll-up's days of the range and the live tables' after them (two queries)."""
    rolled = _rolled(scope, f, per_department=True)
    if rolled is None:
        return _totals(scope, f)
    assert f.rolled is not None
    sums = _sums(TOTALS, _in_range_unless_all(f))
    result = _summed(rolled.aggregate(**sums, created_since=Coalesce(Sum("created"), 0)))
    live = _totals(scope, _after(f))
    for name in TOTALS if f.last > f.rolled else ():
        result[name] += live[name]
    result["created_since"] += live["created_since"]
    return result


def volume(scope: Scope, f: Filters) -> dict:
    """As `_volume`: the roll-up's days (one query) and the live tables' after them."""
    rolled = _rolled(scope, f, per_department=True)
    if rolled is None:
        return _volume(scope, f)
    assert f.rolled is not None
    names = ("created", "resolved", "finished", "reopened")
    days = _per_day(rolled, names)  # every rolled day from the range's start on: the "since" sums count them all
    result: dict = {name: {day: n for day, n in days[name].items() if day <= f.last} for name in names}
    result["finished_since"] = sum(days["finished"].values())
    result["reopened_since"] = sum(days["reopened"].values())
    live = _volume(scope, _after(f))
    if f.last > f.rolled:
        _add(result, {name: live[name] for name in names})
    result["finished_since"] += live["finished_since"]
    result["reopened_since"] += live["reopened_since"]
    return result


def _volume(scope: Scope, f: Filters) -> dict:
    """Per day: tickets created, tickets resolved (by their latest resolution), and from the status timeline the
    tickets that were finished (resolved or closed from a working status) and reopened; and how many were
    finished and reopened from the range's start until now (the backlog's start). Three queries: the status
    changes since the range's start are one GROUP BY, its days within the range and one row for those after it."""
    qs = tickets(scope, f)
    changes = f.apply(scope.events(), prefix="ticket__").filter(kind="status", created_at__gte=f.start).order_by()
    day = Case(When(created_at__lt=f.end, then=tehran_day("created_at", f, changes)), output_field=DateField())
    rows = (
        changes.annotate(_day=day)
        .values("_day")
        .annotate(finished=Count("pk", filter=FINISHED), reopened=Count("pk", filter=REOPENED))
        .order_by()
    )
    result: dict = {
        "created": daily(qs, "created_at", f, n=Q())["n"],
        "resolved": daily(qs, "resolved_at", f, n=Q())["n"],
        "finished": {},
        "reopened": {},
        "finished_since": 0,
        "reopened_since": 0,
    }
    for row in rows:
        for name in ("finished", "reopened"):
            result[f"{name}_since"] += row[name]
            if row["_day"] is not None and row[name]:
                result[name][row["_day"]] = row[name]
    return result


def open_now(scope: Scope, f: Filters) -> list[dict]:
    """Tickets still needing work now, by status, department and priority (one GROUP BY, no joins; the
    names are read by `open_now_names`)."""
    return list(
        tickets(scope, f)
        .filter(status__in=ACTIVE_STATUSES)
        .values("status", "department_id", "priority_id")
        .annotate(n=Count("*"))  # not the id: the index `ticket_report_open` answers it alone
    )


def open_now_names(rows: list[dict]) -> dict[str, dict]:
    """Names of the departments and priorities in `open_now`'s rows (one query each, only those ids)."""
    from tickets.models import Department, Priority

    departments = {r["department_id"] for r in rows}
    priorities = {r["priority_id"] for r in rows if r["priority_id"]}
    return {
        "departments": dict(Department.objects.filter(pk__in=departments).values_list("pk", "name")),
        "priorities": {
            pk: (name, order)
            for pk, name, order in Priority.objects.filter(pk__in=priorities).values_list("pk", "name", "order")
        },
    }


def times(scope: Scope, f: Filters, *, by: str | None = None) -> dict[str, dict]:
    """Percentiles of the first response (tickets created in the range) and of the resolution (tickets resolved
    in it), business and wall-clock seconds, optionally per group. Two queries."""
    qs = tickets(scope, f)
    return {
        "first_response": percentiles(
            qs.filter(f.between("created_at")), ["first_response_business_seconds", "first_response_seconds"], by=by
        ),
        "resolution": percentiles(
            qs.filter(f.between("resolved_at")), ["resolution_business_seconds", "resolution_seconds"], by=by
        ),
    }


def csat(scope: Scope, f: Filters, *, by: str | None = None) -> list[dict]:
    """Ratings given in the range: per score (and per group, e.g. the ticket's assignee). One query."""
    ratings = f.apply(scope.ratings(), prefix="ticket__").filter(f.between("created_at"))
    columns = [by, "score"] if by else ["score"]
    return list(ratings.values(*columns).annotate(n=Count("pk")).order_by(*columns))


SLA_DIMENSIONS = {
    "department": ("department_id", "department__name"),
    "priority": ("priority_id", "priority__name"),
    "type": ("type_id", "type__name"),
    "agent": ("assignee_id", "assignee__full_name"),
}


def sla_by(scope: Scope, f: Filters, dimension: str) -> list[dict]:
    """As `_sla_by`: the roll-up's days of the range (one GROUP BY) and the live tables' after them."""
    rolled = _rolled(scope, f, per_department=dimension == "department")
    if rolled is None:
        return _sla_by(scope, f, dimension)
    assert f.rolled is not None
    key, name = SLA_DIMENSIONS[dimension]
    counts = ("fr_met", "fr_breached", "res_met", "res_breached")
    grouped = rolled.filter(_in_range(f)).values(key, name).annotate(**_sums(counts))
    rows = list(map(_summed, grouped.order_by(_by_name(name))))
    if f.last <= f.rolled:
        return rows
    return _merged(rows, _sla_by(scope, _after(f), dimension), key, counts, order=lambda r: (r[name] is None, r[name]))


def _by_name(name: str) -> OrderBy:
    """By name, the rows without one (unassigned, no priority) last on both databases."""
    return F(name).asc(nulls_last=True)


def _merged(rows: list[dict], more: list[dict], key: str, counts: Sequence[str], order: Callable) -> list[dict]:
    """Rows of the same groups added up: in the database's order of `rows`, or in `order` when `more` has groups
    of its own (Python's order of names may differ from the database's collation)."""
    by_key = {row[key]: row for row in rows}
    new = [row for row in more if row[key] not in by_key]
    for row in more:
        if row[key] in by_key:
            for name in counts:
                by_key[row[key]][name] += row[name]
    return sorted([*rows, *new], key=order) if new else rows


def _sla_by(scope: Scope, f: Filters, dimension: str) -> list[dict]:
    """Met and breached per department, priority, type or agent (the ticket's current one: a transferred ticket
    counts where it ended). One GROUP BY."""
    key, name = SLA_DIMENSIONS[dimension]
    created, resolved = f.between("created_at"), f.between("resolved_at")
    return list(
        tickets(scope, f)
        .filter(created | resolved)
        .values(key, name)
        .annotate(
            fr_met=Count("pk", filter=created & FR_MET),
            fr_breached=Count("pk", filter=created & FR_BREACHED),
            res_met=Count("pk", filter=resolved & RES_MET),
            res_breached=Count("pk", filter=resolved & RES_BREACHED),
        )
        .order_by(_by_name(name))
    )


def breach_trend(scope: Scope, f: Filters) -> dict[str, dict[dt.date, int]]:
    """As `_breach_trend`: the roll-up's days of the range (one query) and the live tables' after them."""
    rolled = _rolled(scope, f, per_department=True)
    if rolled is None:
        return _breach_trend(scope, f)
    assert f.rolled is not None
    result = _per_day(rolled.filter(_in_range(f)), ("fr_target", "fr_breached", "res_target", "res_breached"))
    if f.last > f.rolled:
        _add(result, _breach_trend(scope, _after(f)))
    return result


def _breach_trend(scope: Scope, f: Filters) -> dict[str, dict[dt.date, int]]:
    """Per day: tickets with a first-response target created, and breached; with a resolution target resolved,
    and late. Two queries."""
    qs = tickets(scope, f)
    first = daily(qs, "created_at", f, fr_target=FR_TARGET, fr_breached=FR_BREACHED)
    resolution = daily(qs, "resolved_at", f, res_target=RES_TARGET, res_breached=RES_BREACHED)
    return {**first, **resolution}


BREACHED_LIST_LIMIT = 100


def breached_tickets(scope: Scope, f: Filters, *, limit: int = BREACHED_LIST_LIMIT) -> list[dict]:
    """Tickets created in the range that missed a deadline (or are past one and still open), newest first."""
    now = timezone.now()
    late = FR_BREACHED | RES_BREACHED | Q(status__in=ACTIVE_STATUSES, resolution_due__lt=now)
    return list(
        tickets(scope, f)
        .filter(f.between("created_at"))
        .filter(late)
        .values(
            "reference",
            "subject",
            "status",
            "department__name",
            "assignee__full_name",
            "priority__name",
            "created_at",
            "first_response_due",
            "first_response_at",
            "resolution_due",
            "resolved_at",
        )
        .order_by("-created_at", "-pk")[:limit]
    )


# --- agents and channels -------------------------------------------------------------------------------------


def agent_work(scope: Scope, f: Filters) -> dict[str, list[dict]]:
    """Per assignee: tickets resolved in the range and how many of them were reopened; per author: public
    replies in the range. Two queries."""
    resolved = (
        tickets(scope, f)
        .filter(f.between("resolved_at"))
        .values("assignee_id", "assignee__full_name")
        .annotate(handled=Count("*"), reopened=Count("reopen_count", filter=Q(reopen_count__gt=0)))  # not the id
        .order_by()
    )
    replies = f.apply(scope.replies(), prefix="ticket__").filter(f.between("created_at"))
    if "assignee_id" in f.dimensions:
        replies = replies.filter(author_id=f.dimensions["assignee_id"])
    by_author = replies.values("author_id", "author__full_name").annotate(replies=Count("*")).order_by()
    return {"resolved": list(resolved), "replies": list(by_author)}


def channel_totals(scope: Scope, f: Filters) -> list[dict]:
    """Per channel: created and resolved in the range and their SLA outcomes (the roll-up's days, one GROUP BY,
    and the live tables' after them)."""
    rolled = _rolled(scope, f, per_department=True)
    if rolled is None:
        return _channel_totals(scope, f)
    assert f.rolled is not None
    counts = ("created", "resolved", "fr_met", "fr_breached", "res_met", "res_breached")
    rows = list(
        map(_summed, rolled.filter(_in_range(f)).values("channel").annotate(**_sums(counts)).order_by("channel"))
    )
    if f.last <= f.rolled:
        return rows
    return _merged(rows, _channel_totals(scope, _after(f)), "channel", counts, order=lambda r: r["channel"])


def _channel_totals(scope: Scope, f: Filters) -> list[dict]:
    created, resolved = f.between("created_at"), f.between("resolved_at")
    return list(
        tickets(scope, f)
        .filter(created | resolved)
        .values("channel")
        .annotate(
            created=Count("pk", filter=created),
            resolved=Count("pk", filter=resolved),
            fr_met=Count("pk", filter=created & FR_MET),
            fr_breached=Count("pk", filter=created & FR_BREACHED),
            res_met=Count("pk", filter=resolved & RES_MET),
            res_breached=Count("pk", filter=resolved & RES_BREACHED),
        )
        .order_by("channel")
    )


# --- knowledge base ------------------------------------------------------------------------------------------


KB_LIST_LIMIT = 10
NO_RESULT_LIMIT = 20


def knowledge_base(scope: Scope, f: Filters) -> dict:
    """Self-service in the range (seven queries): suggestion lists shown while filing, articles opened from them,
    the sessions that opened one and then filed anyway or left (deflection), searches that found nothing; and the
    most read and lowest rated articles (all time)."""
    days = Q(day__gte=f.first, day__lte=f.last)
    stats = scope.search_stats().filter(days)
    shown = stats.filter(kind=SearchStat.Kind.SUGGESTED).values("day").annotate(n=Sum("count")).order_by()
    opens = SuggestionOpen.objects.all() if scope.sees_knowledge_base else SuggestionOpen.objects.none()
    opened = daily(opens, "opened_at", f, n=Q())["n"]
    top_opened = list(
        opens.filter(f.between("opened_at"))
        .values("article__title", "article__slug")
        .annotate(n=Count("pk"))
        .order_by("-n", "article__title")[:KB_LIST_LIMIT]
    )
    sessions = SuggestionSession.objects.all() if scope.sees_knowledge_base else SuggestionSession.objects.none()
    cutoff = timezone.now() - SUGGESTION_DECISION_WINDOW
    outcome = sessions.filter(f.between("first_opened_at")).aggregate(
        total=Count("pk"),
        filed=Count("pk", filter=Q(ticket_filed_at__isnull=False)),
        left=Count("pk", filter=Q(ticket_filed_at__isnull=True, last_opened_at__lt=cutoff)),
    )
    no_result = list(
        stats.filter(kind=SearchStat.Kind.NO_RESULT)
        .values("query")
        .annotate(n=Sum("count"))
        .order_by("-n", "query")[:NO_RESULT_LIMIT]
    )
    articles = Article.objects.published() if scope.sees_knowledge_base else Article.objects.none()
    most_read = list(articles.order_by("-view_count", "pk").values("title", "slug", "view_count")[:KB_LIST_LIMIT])
    rated = article_ratings(articles)  # annotates the votes, which django-stubs cannot follow into `.values()`
    lowest = list(
        rated.values("title", "slug", "helpful_votes", "total_votes", "helpful_ratio")[:KB_LIST_LIMIT]  # type: ignore[misc]
    )
    return {
        "shown": {row["day"]: row["n"] for row in shown},
        "opened": opened,
        "top_opened": top_opened,
        "outcome": outcome,
        "no_result": no_result,
        "most_read": most_read,
        "lowest_rated": lowest,
    }


# --- Article 6 -----------------------------------------------------------------------------------------------

EXPIRING_DAYS = 14
EXPIRING_LIMIT = 100


def article6(scope: Scope, f: Filters) -> dict:
    """Increase requests filed in the range by state and by tax period (amounts requested and applied), the
    days from filing to applied (applied in the range), and the open requests whose period ends within 14 days.
    Four queries (the expiring list carries their full count, `COUNT(*) OVER ()`, however many it shows)."""
    requests = f.apply(scope.increase_requests(), prefix="ticket__").order_by()
    filed = requests.filter(f.between("created_at"))
    by_state = list(filed.values("state").annotate(n=Count("pk")).order_by("state"))
    by_period = list(
        filed.values("year", "quarter")
        .annotate(
            n=Count("pk"),
            requested=Sum("amount"),
            applied_n=Count("pk", filter=Q(state=State.APPLIED)),
            applied=Sum("announced_amount", filter=Q(state=State.APPLIED)),
        )
        .order_by("year", "quarter")
    )
    waited = requests.filter(state=State.APPLIED).filter(f.between("applied_at"))
    waited = waited.annotate(_took=ExpressionWrapper(F("applied_at") - F("created_at"), output_field=DurationField()))
    took = percentiles(waited, ["_took"]).get(None, {}).get("_took") or Spread(0)
    now = timezone.now()
    expiring = list(
        requests.filter(
            state__in=sorted(OPEN_STATES),
            period_ends_at__gte=now,
            period_ends_at__lt=now + dt.timedelta(days=EXPIRING_DAYS),
        )
        .annotate(_total=Window(Count("pk")))
        .values("ticket__reference", "taxpayer__name", "year", "quarter", "amount", "state", "period_ends_at", "_total")
        .order_by("period_ends_at", "pk")[:EXPIRING_LIMIT]
    )
    expiring_n = expiring[0]["_total"] if expiring else 0
    return {"by_state": by_state, "by_period": by_period, "took": took, "expiring": expiring, "expiring_n": expiring_n}


def names(rows: Iterable[dict], key: str, name: str) -> dict:
    return {row[key]: row[name] for row in rows}

"""What each report page shows, as plain data: numbers at the top, charts, and the tables beside them (the
tables are also what the exports write). Built from `selectors` with the viewer's scope and the page's filters;
values stay raw here (ints, hours as floats, ratios, dates) and are formatted for people by the template filter
`report_cell` or written as they are by `exports`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.l10n import digits
from limits.models.core import Quarter
from limits.models.increase import State
from tickets.models import Channel, Status

from . import periods, selectors
from .filters import Filters
from .permissions import Scope

HOUR = 3600
DAY = 86400

TEXT, INT, HOURS, DAYS, PERCENT, AVERAGE, DATE, DATETIME, MONEY = (
    "text",
    "int",
    "hours",
    "days",
    "percent",
    "average",
    "date",
    "datetime",
    "money",
)


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""

    @property
    def cells(self) -> list[list[tuple[object, str]]]:
        """Each row's values with their columns' kinds (for the template)."""
        kinds = [column.kind for column in self.columns]
        return [list(zip(row, kinds, strict=True)) for row in self.rows]


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "line" or "bar"
    labels: list[str]
    datasets: Sequence[tuple[str, Sequence[object]]]
    table: str  # the key of the table beside it
    unit: str = ""  # "percent", "hours" or "" (counts)

    def data(self) -> dict:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "unit": self.unit,
            "datasets": [{"label": label, "data": values} for label, values in self.datasets],
        }


@dataclass(frozen=True)
class Kpi:
    label: str
    value: object
    kind: str = INT
    hint: str = ""


@dataclass
class Page:
    section: str
    title: str
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def charted(self) -> set[str]:
        return {chart.table for chart in self.charts}


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def hours(value) -> float | None:
    return None if value is None else value / HOUR


def _ticket_link(reference: str) -> Link:
    return Link(f"#{reference}", reverse("tickets:detail", args=[reference]))


def _article_link(title: str, slug: str) -> Link:
    return Link(title, reverse("knowledgebase:article", kwargs={"slug": slug}))


def _trend_table(key: str, title: str, f: Filters, series: Sequence[tuple[str, Sequence[object], str]]) -> Table:
    labels = f.buckets.labels
    columns = [Column(_("Period"))] + [Column(label, kind) for label, _values, kind in series]
    rows = [[labels[i], *(values[i] for _label, values, _kind in series)] for i in range(len(labels))]
    return Table(key, title, columns, rows)


def _times_table(key: str, data: dict) -> Table:
    rows = []
    for name, label in (("first_response", _("First response")), ("resolution", _("Resolution"))):
        spread = data[name].get(None, {})
        business = spread.get(f"{name}_business_seconds") or selectors.Spread(0)
        wall = spread.get(f"{name}_seconds") or selectors.Spread(0)
        rows.append(
            [label, business.n, hours(business.median), hours(business.p90), hours(wall.median), hours(wall.p90)]
        )
    return Table(
        key,
        _("Response and resolution times"),
        [
            Column(_("Measure")),
            Column(_("Tickets"), INT),
            Column(_("Median, business hours"), HOURS),
            Column(_("90th percentile, business hours"), HOURS),
            Column(_("Median, calendar hours"), HOURS),
            Column(_("90th percentile, calendar hours"), HOURS),
        ],
        rows,
        note=_("First response: tickets created in the period; resolution: tickets resolved in it."),
    )


def _csat_summary(rows: list[dict]) -> tuple[int, float | None, list[int]]:
    counts = [0] * 5
    for row in rows:
        counts[row["score"] - 1] += row["n"]
    total = sum(counts)
    average = sum((i + 1) * n for i, n in enumerate(counts)) / total if total else None
    return total, average, counts


# --- overview ----------------------------------------------------------------------------------------------------


def overview(scope: Scope, f: Filters) -> Page:
    totals = selectors.totals(scope, f)
    volume = selectors.volume(scope, f)
    buckets = f.buckets
    open_rows = selectors.open_now(scope, f)
    open_count = sum(row["n"] for row in open_rows)
    # Open at the end of each day, from the status timeline (a ticket resolved, reopened and resolved again left
    # and re-entered the backlog): open now, less what was created since the range's start, plus what was finished
    # since then, less what was reopened since then; then each day's created − finished + reopened.
    at_start = open_count - totals["created_since"] + volume["finished_since"] - volume["reopened_since"]
    changes = {
        day: volume["created"].get(day, 0) - volume["finished"].get(day, 0) + volume["reopened"].get(day, 0)
        for day in buckets.days
    }
    backlog_daily = periods.cumulative(at_start, buckets.days, changes)
    created, resolved = buckets.sums(volume["created"]), buckets.sums(volume["resolved"])
    reopened, backlog = buckets.sums(volume["reopened"]), buckets.last_values(backlog_daily)
    names = selectors.open_now_names(open_rows)
    times = selectors.times(scope, f)
    ratings, average, distribution = _csat_summary(selectors.csat(scope, f))
    fr = times["first_response"].get(None, {}).get("first_response_business_seconds") or selectors.Spread(0)
    res = times["resolution"].get(None, {}).get("resolution_business_seconds") or selectors.Spread(0)

    page = Page("overview", _("Overview"))
    page.kpis = [
        Kpi(_("Created"), totals["created"]),
        Kpi(_("Resolved"), totals["resolved"]),
        Kpi(_("Reopened"), sum(volume["reopened"].values())),
        Kpi(_("Open now"), open_count),
        Kpi(_("First response within SLA"), ratio(totals["fr_met"], totals["fr_met"] + totals["fr_breached"]), PERCENT),
        Kpi(_("Resolution within SLA"), ratio(totals["res_met"], totals["res_met"] + totals["res_breached"]), PERCENT),
        Kpi(_("Median first response (business hours)"), hours(fr.median), HOURS),
        Kpi(_("Median resolution (business hours)"), hours(res.median), HOURS),
        Kpi(_("Satisfaction (average of 5)"), average, AVERAGE, _("%(n)s ratings") % {"n": ratings}),
    ]
    volume_series = [
        (_("Created"), created, INT),
        (_("Resolved"), resolved, INT),
        (_("Reopened"), reopened, INT),
        (_("Backlog (open at the end)"), backlog, INT),
    ]
    page.tables.append(_trend_table("volume", _("Tickets over time"), f, volume_series))
    page.charts.append(
        Chart("volume", _("Tickets over time"), "line", buckets.labels, [(s[0], s[1]) for s in volume_series], "volume")
    )

    def grouped(key: str, label: str, name: Callable[[dict], str], order: Callable[[dict], Any]) -> None:
        counts: dict[str, int] = {}
        for row in sorted(open_rows, key=order):
            counts[name(row)] = counts.get(name(row), 0) + row["n"]
        title = _("Open now by %(what)s") % {"what": label}
        page.tables.append(
            Table(
                key, title, [Column(label.capitalize()), Column(_("Tickets"), INT)], [[k, v] for k, v in counts.items()]
            )
        )
        page.charts.append(Chart(key, title, "bar", list(counts), [(_("Tickets"), list(counts.values()))], key))

    statuses = list(Status.values)
    grouped("open_status", _("status"), lambda r: str(Status(r["status"]).label), lambda r: statuses.index(r["status"]))
    departments, priorities = names["departments"], names["priorities"]
    grouped(
        "open_department",
        _("department"),
        lambda r: departments[r["department_id"]],
        lambda r: departments[r["department_id"]],
    )
    grouped(
        "open_priority",
        _("priority"),
        lambda r: priorities[r["priority_id"]][0] if r["priority_id"] else _("none"),
        lambda r: (-priorities[r["priority_id"]][1], priorities[r["priority_id"]][0]) if r["priority_id"] else (1, ""),
    )
    page.tables.append(_times_table("times", times))
    page.tables.append(
        Table(
            "sla",
            _("SLA met"),
            [Column(_("Target")), Column(_("Met"), INT), Column(_("Breached"), INT), Column(_("Met %"), PERCENT)],
            [
                [
                    _("First response"),
                    totals["fr_met"],
                    totals["fr_breached"],
                    ratio(totals["fr_met"], totals["fr_met"] + totals["fr_breached"]),
                ],
                [
                    _("Resolution"),
                    totals["res_met"],
                    totals["res_breached"],
                    ratio(totals["res_met"], totals["res_met"] + totals["res_breached"]),
                ],
            ],
        )
    )
    csat_table = Table(
        "csat",
        _("Satisfaction ratings"),
        [Column(_("Rating")), Column(_("Ratings"), INT), Column(_("Share"), PERCENT)],
        [[digits(i + 1), n, ratio(n, ratings)] for i, n in enumerate(distribution)],
    )
    page.tables.append(csat_table)
    page.charts.append(
        Chart(
            "csat",
            _("Satisfaction ratings"),
            "bar",
            [digits(i) for i in range(1, 6)],
            [(_("Ratings"), distribution)],
            "csat",
        )
    )
    return page


# --- SLA ---------------------------------------------------------------------------------------------------------


def sla(scope: Scope, f: Filters) -> Page:
    totals = selectors.totals(scope, f)
    page = Page("sla", _("SLA"))
    page.kpis = [
        Kpi(_("First response met"), totals["fr_met"]),
        Kpi(_("First response breached"), totals["fr_breached"]),
        Kpi(_("Resolution met"), totals["res_met"]),
        Kpi(_("Resolution breached"), totals["res_breached"]),
        Kpi(_("Escalated to supervisors"), totals["escalated"]),
        Kpi(_("Escalated to managers"), totals["escalated_managers"]),
    ]
    trend = selectors.breach_trend(scope, f)
    buckets = f.buckets
    fr_target, fr_breached = buckets.sums(trend["fr_target"]), buckets.sums(trend["fr_breached"])
    res_target, res_breached = buckets.sums(trend["res_target"]), buckets.sums(trend["res_breached"])
    fr_rate = [ratio(b, t) for b, t in zip(fr_breached, fr_target, strict=True)]
    res_rate = [ratio(b, t) for b, t in zip(res_breached, res_target, strict=True)]
    series: list[tuple[str, Sequence[object], str]] = [
        (_("First response breach rate"), fr_rate, PERCENT),
        (_("Resolution breach rate"), res_rate, PERCENT),
        (_("With a first response target"), fr_target, INT),
        (_("With a resolution target"), res_target, INT),
    ]
    page.tables.append(_trend_table("trend", _("Breach rate over time"), f, series))
    page.charts.append(
        Chart(
            "trend",
            _("Breach rate over time"),
            "line",
            buckets.labels,
            [(s[0], s[1]) for s in series[:2]],
            "trend",
            "percent",
        )
    )
    columns = [
        Column(_("First response met"), INT),
        Column(_("First response breached"), INT),
        Column(_("First response met %"), PERCENT),
        Column(_("Resolution met"), INT),
        Column(_("Resolution breached"), INT),
        Column(_("Resolution met %"), PERCENT),
    ]
    labels = {
        "department": (_("By department"), _("Department")),
        "priority": (_("By priority"), _("Priority")),
        "type": (_("By type"), _("Type")),
        "agent": (_("By agent"), _("Agent")),
    }
    for dimension, (title, column) in labels.items():
        if dimension == "agent" and scope.is_agent:
            continue
        rows = []
        for row in selectors.sla_by(scope, f, dimension):
            name = row[selectors.SLA_DIMENSIONS[dimension][1]] or (
                _("Unassigned") if dimension == "agent" else _("none")
            )
            rows.append(
                [
                    name,
                    row["fr_met"],
                    row["fr_breached"],
                    ratio(row["fr_met"], row["fr_met"] + row["fr_breached"]),
                    row["res_met"],
                    row["res_breached"],
                    ratio(row["res_met"], row["res_met"] + row["res_breached"]),
                ]
            )
        page.tables.append(Table(f"by_{dimension}", title, [Column(column), *columns], rows))
    breached = selectors.breached_tickets(scope, f)
    page.tables.append(
        Table(
            "breached",
            _("Tickets that missed a deadline"),
            [
                Column(_("Ticket")),
                Column(_("Subject")),
                Column(_("Department")),
                Column(_("Agent")),
                Column(_("Status")),
                Column(_("Created"), DATETIME),
                Column(_("First response due"), DATETIME),
                Column(_("First response"), DATETIME),
                Column(_("Resolution due"), DATETIME),
                Column(_("Resolved"), DATETIME),
            ],
            [
                [
                    _ticket_link(r["reference"]),
                    r["subject"],
                    r["department__name"],
                    r["assignee__full_name"] or "",
                    str(Status(r["status"]).label),
                    r["created_at"],
                    r["first_response_due"],
                    r["first_response_at"],
                    r["resolution_due"],
                    r["resolved_at"],
                ]
                for r in breached
            ],
            note=_("Created in the period; the newest %(n)s.") % {"n": selectors.BREACHED_LIST_LIMIT},
        )
    )
    return page


# --- agents ------------------------------------------------------------------------------------------------------


def agents(scope: Scope, f: Filters) -> Page:
    work = selectors.agent_work(scope, f)
    times = selectors.times(scope, f, by="assignee_id")
    ratings = selectors.csat(scope, f, by="ticket__assignee_id")
    names: dict[int | None, str] = {}
    rows: dict[int | None, dict] = {}

    def row(pk) -> dict:
        return rows.setdefault(pk, {"handled": 0, "reopened": 0, "replies": 0, "ratings": 0, "score": 0})

    for r in work["resolved"]:
        names[r["assignee_id"]] = r["assignee__full_name"]
        row(r["assignee_id"]).update(handled=r["handled"], reopened=r["reopened"])
    for r in work["replies"]:
        names[r["author_id"]] = r["author__full_name"]
        row(r["author_id"])["replies"] = r["replies"]
    for r in ratings:
        entry = row(r["ticket__assignee_id"])
        entry["ratings"] += r["n"]
        entry["score"] += r["n"] * r["score"]
    for name in ("first_response", "resolution"):
        for pk in times[name]:
            row(pk)
    table_rows = []
    for pk, r in rows.items():
        fr = selectors.spread(times["first_response"], pk, "first_response_business_seconds")
        res = selectors.spread(times["resolution"], pk, "resolution_business_seconds")
        table_rows.append(
            [
                names.get(pk) or (_("Unassigned") if pk is None else "?"),
                r["handled"],
                r["replies"],
                hours(fr.median),
                hours(res.median),
                ratio(r["reopened"], r["handled"]),
                r["score"] / r["ratings"] if r["ratings"] else None,
                r["ratings"],
            ]
        )
    table_rows.sort(key=lambda r: (-r[1], -r[2], str(r[0])))
    page = Page("agents", _("My performance") if scope.is_agent else _("Agents"))
    page.tables.append(
        Table(
            "agents",
            _("Per agent"),
            [
                Column(_("Agent")),
                Column(_("Tickets resolved"), INT),
                Column(_("Replies"), INT),
                Column(_("Median first response, business hours"), HOURS),
                Column(_("Median resolution, business hours"), HOURS),
                Column(_("Reopen rate"), PERCENT),
                Column(_("Satisfaction (average of 5)"), AVERAGE),
                Column(_("Ratings"), INT),
            ],
            table_rows,
            note=_(
                "Tickets count for the agent they are assigned to now (a transferred ticket counts where it ended)."
            ),
        )
    )
    page.charts.append(
        Chart(
            "agents",
            _("Tickets resolved and replies"),
            "bar",
            [str(r[0]) for r in table_rows],
            [(_("Tickets resolved"), [r[1] for r in table_rows]), (_("Replies"), [r[2] for r in table_rows])],
            "agents",
        )
    )
    return page


# --- channels ----------------------------------------------------------------------------------------------------


def channels(scope: Scope, f: Filters) -> Page:
    totals = {row["channel"]: row for row in selectors.channel_totals(scope, f)}
    times = selectors.times(scope, f, by="channel")
    rows = []
    for code, label in Channel.choices:
        t = totals.get(code, {})
        fr = selectors.spread(times["first_response"], code, "first_response_business_seconds")
        fr_wall = selectors.spread(times["first_response"], code, "first_response_seconds")
        res = selectors.spread(times["resolution"], code, "resolution_business_seconds")
        fr_met, fr_breached = t.get("fr_met", 0), t.get("fr_breached", 0)
        res_met, res_breached = t.get("res_met", 0), t.get("res_breached", 0)
        rows.append(
            [
                str(label),
                t.get("created", 0),
                t.get("resolved", 0),
                hours(fr.median),
                hours(fr_wall.median),
                hours(res.median),
                ratio(fr_met, fr_met + fr_breached),
                ratio(res_met, res_met + res_breached),
            ]
        )
    page = Page("channels", _("Channels"))
    page.tables.append(
        Table(
            "channels",
            _("Per channel"),
            [
                Column(_("Channel")),
                Column(_("Created"), INT),
                Column(_("Resolved"), INT),
                Column(_("Median first response, business hours"), HOURS),
                Column(_("Median first response, calendar hours"), HOURS),
                Column(_("Median resolution, business hours"), HOURS),
                Column(_("First response met %"), PERCENT),
                Column(_("Resolution met %"), PERCENT),
            ],
            rows,
            note=_("Staff: tickets filed by staff on a customer's behalf, and internal tickets."),
        )
    )
    labels = [r[0] for r in rows]
    page.charts.append(
        Chart(
            "channels",
            _("Volume by channel"),
            "bar",
            labels,
            [(_("Created"), [r[1] for r in rows]), (_("Resolved"), [r[2] for r in rows])],
            "channels",
        )
    )
    return page


# --- knowledge base ----------------------------------------------------------------------------------------------


def kb(scope: Scope, f: Filters) -> Page:
    data = selectors.knowledge_base(scope, f)
    outcome = data["outcome"]
    decided = outcome["filed"] + outcome["left"]
    page = Page("kb", _("Knowledge base"))
    page.kpis = [
        Kpi(_("Suggestions shown while filing"), sum(data["shown"].values())),
        Kpi(_("Suggested articles opened"), sum(data["opened"].values())),
        Kpi(_("Filed anyway after a suggestion"), outcome["filed"]),
        Kpi(_("Left after a suggestion (deflected)"), outcome["left"]),
        Kpi(_("Deflection rate"), ratio(outcome["left"], decided), PERCENT),
    ]
    buckets = f.buckets
    shown, opened = buckets.sums(data["shown"]), buckets.sums(data["opened"])
    series = [(_("Suggestions shown"), shown, INT), (_("Suggested articles opened"), opened, INT)]
    page.tables.append(_trend_table("suggestions", _("Suggestions over time"), f, series))
    page.charts.append(
        Chart(
            "suggestions",
            _("Suggestions over time"),
            "line",
            buckets.labels,
            [(s[0], s[1]) for s in series],
            "suggestions",
        )
    )
    page.tables += [
        Table(
            "opened",
            _("Articles opened from suggestions"),
            [Column(_("Article")), Column(_("Opened"), INT)],
            [[_article_link(r["article__title"], r["article__slug"]), r["n"]] for r in data["top_opened"]],
        ),
        Table(
            "no_result",
            _("Searches with no result (what to write next)"),
            [Column(_("Search")), Column(_("Times"), INT)],
            [[r["query"], r["n"]] for r in data["no_result"]],
        ),
        Table(
            "most_read",
            _("Most read articles"),
            [Column(_("Article")), Column(_("Views"), INT)],
            [[_article_link(r["title"], r["slug"]), r["view_count"]] for r in data["most_read"]],
            note=_("Since the article was published."),
        ),
        Table(
            "lowest_rated",
            _("Lowest rated articles"),
            [Column(_("Article")), Column(_("Helpful"), INT), Column(_("Votes"), INT), Column(_("Helpful %"), PERCENT)],
            [
                [_article_link(r["title"], r["slug"]), r["helpful_votes"], r["total_votes"], r["helpful_ratio"]]
                for r in data["lowest_rated"]
            ],
        ),
    ]
    return page


# --- Article 6 ---------------------------------------------------------------------------------------------------


def article6(scope: Scope, f: Filters) -> Page:
    data = selectors.article6(scope, f)
    took: selectors.Spread = data["took"]
    page = Page("article6", _("Article 6 requests"))
    counts = {row["state"]: row["n"] for row in data["by_state"]}
    page.kpis = [
        Kpi(_("Requests filed"), sum(counts.values())),
        Kpi(_("Applied"), counts.get(State.APPLIED, 0)),
        Kpi(
            _("Median days from filing to applied"),
            None if took.median is None else took.median / dt.timedelta(days=1),
            DAYS,
            _("%(n)s applied in the period") % {"n": took.n},
        ),
        Kpi(_("Expiring within 14 days"), data["expiring_n"]),
    ]
    states = [(str(label), counts.get(code, 0)) for code, label in State.choices]
    page.tables.append(
        Table(
            "states",
            _("Requests by state"),
            [Column(_("State")), Column(_("Requests"), INT)],
            [list(s) for s in states],
        )
    )
    page.charts.append(
        Chart(
            "states",
            _("Requests by state"),
            "bar",
            [s[0] for s in states],
            [(_("Requests"), [s[1] for s in states])],
            "states",
        )
    )
    periods_rows = [
        [_period_label(r["year"], r["quarter"]), r["n"], r["requested"] or 0, r["applied_n"], r["applied"] or 0]
        for r in data["by_period"]
    ]
    page.tables.append(
        Table(
            "periods",
            _("Amounts per tax period"),
            [
                Column(_("Period")),
                Column(_("Requests"), INT),
                Column(_("Requested, rials"), MONEY),
                Column(_("Applied requests"), INT),
                Column(_("Applied, rials"), MONEY),
            ],
            periods_rows,
            note=_("Requests filed in the period; applied: the exact amount announced for the applied ones."),
        )
    )
    page.charts.append(
        Chart(
            "periods",
            _("Amounts per tax period"),
            "bar",
            [r[0] for r in periods_rows],
            [
                (_("Requested, rials"), [r[2] for r in periods_rows]),
                (_("Applied, rials"), [r[4] for r in periods_rows]),
            ],
            "periods",
        )
    )
    page.tables.append(
        Table(
            "expiring",
            _("Open requests whose period ends within 14 days"),
            [
                Column(_("Ticket")),
                Column(_("Taxpayer")),
                Column(_("Period")),
                Column(_("Amount, rials"), MONEY),
                Column(_("State")),
                Column(_("Period ends"), DATETIME),
            ],
            [
                [
                    _ticket_link(r["ticket__reference"]),
                    r["taxpayer__name"],
                    _period_label(r["year"], r["quarter"]),
                    r["amount"],
                    str(State(r["state"]).label),
                    r["period_ends_at"],
                ]
                for r in data["expiring"]
            ],
        )
    )
    return page


def _period_label(year: int, quarter: int) -> str:
    return digits(f"{Quarter(quarter).label} {year}")


SECTIONS: dict[str, tuple[Callable[[Scope, Filters], Page], object]] = {
    "overview": (overview, gettext_lazy("Overview")),
    "sla": (sla, gettext_lazy("SLA")),
    "agents": (agents, gettext_lazy("Agents")),
    "channels": (channels, gettext_lazy("Channels")),
    "kb": (kb, gettext_lazy("Knowledge base")),
    "article6": (article6, gettext_lazy("Article 6")),
}


def sections_for(scope: Scope) -> list[str]:
    """The pages a scope may open (the knowledge base is not a department's: managers and supervisors)."""
    return [s for s in SECTIONS if s != "kb" or scope.sees_knowledge_base]

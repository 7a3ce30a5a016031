"""`make bench`: seed 100,000 tickets into a separate database, then time the queue, ticket and report pages.

    .venv/bin/python bench/run.py                 # SQLite file bench/bench.sqlite3 (seeded once, reused)
    DATABASE_URL=postgres://… .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --reseed --tickets 100000 --runs 30

Seeding uses bulk inserts (no services, no events beyond the timeline rows a page reads), then ANALYZE.
Measuring uses Django's test client in this process: for each page the median and 95th percentile of the
wall time of `runs` requests (after warm-up) and the number of SQL queries of one request, next to a trivial
logged-in page (the home page) measured in the same run — the framework's floor. Results are printed and
written to bench/results.md (SQLite) or bench/results-<vendor>.md (e.g. PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import overhttp, seed  # noqa: E402
from helpdesk.persian import normalize  # noqa: E402
from reports import stats  # noqa: E402
from tickets.models import SLA_RUNNING, Department, Message, Status, TaggedTicket, Ticket, TicketEvent  # noqa: E402
from tickets.services.sla import sla_scan  # noqa: E402

RESULTS = ROOT / "bench" / "results.md"  # SQLite at 100k (the default); else results-<vendor>[-<size>].md


# --- measuring ------------------------------------------------------------------------------------------------


def measure(client: Client, url: str, runs: int, warmup: int = 3) -> dict:
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    captured = list(ctx.captured_queries)
    slowest = max(captured, key=lambda q: float(q["time"]), default=None)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "median": statistics.median(times),
        "p95": p95,
        "queries": len(captured),
        "slowest_sql": slowest["sql"] if slowest else "",
    }


def explain(sql: str) -> str:
    if not sql:
        return ""
    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(r[0] for r in rows)
    return "\n".join(str(r[-1]) for r in rows)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reset_database() -> None:
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(connection.settings_dict["NAME"]) + suffix).unlink(missing_ok=True)
    else:  # a database of its own (see bench/settings.py): start from an empty schema
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def people() -> dict[str, User]:
    return {
        "manager": User.objects.get(email="manager@bench.example"),
        "agent": User.objects.get(email="agent0-0@bench.example"),
        "customer": User.objects.get(email="customer42@bench.example"),
        "supervisor": User.objects.get(email="supervisor@bench.example"),
    }


def staff_ticket() -> Ticket:
    ticket = Ticket.objects.filter(status=Status.OPEN).order_by("-last_activity_at").first()
    assert ticket is not None
    return ticket


def run(runs: int, n_tickets: int, warmup: int = 3) -> tuple[list[dict], list[dict]]:
    p = people()
    manager = p["manager"]
    department = Department.objects.get(name=seed.DEPARTMENTS[0])
    ticket = staff_ticket()
    pages = [
        ("Trivial logged-in page (home) — the floor", manager, "/"),
        (f"Queue, default view (manager: all {n_tickets:,} visible)", manager, "/tickets/queue/"),
        ("Queue, default view (agent of one department)", p["agent"], "/tickets/queue/"),
        ("Queue, filtered (status + department + sort by priority)", manager,
         f"/tickets/queue/?status=open&department={department.pk}&sort=priority"),
        ("Queue, keyword search for a mobile number «۰۹۱۲۰۰۰۰۰۴۲» (rare)", manager,
         "/tickets/queue/?q=۰۹۱۲۰۰۰۰۰۴۲&status=any"),
        ("Ticket page (staff)", manager, f"/tickets/{ticket.reference}/"),
        ("Ticket page (customer)", ticket.requester, f"/tickets/{ticket.reference}/"),
        ("Customer portal (my tickets)", p["customer"], "/tickets/"),
        ("Reports: overview (manager, the last 30 days)", manager, "/reports/"),
        ("Reports: overview (manager, this Jalali year)", manager, "/reports/?preset=year"),
        ("Reports: overview (supervisor of one department)", p["supervisor"], "/reports/"),
        ("Reports: SLA (manager)", manager, "/reports/sla/"),
        ("Reports: SLA (manager, this Jalali year)", manager, "/reports/sla/?preset=year"),
        ("Reports: agents (manager)", manager, "/reports/agents/"),
        ("Reports: agents (manager, this Jalali year)", manager, "/reports/agents/?preset=year"),
        ("Reports: channels (manager)", manager, "/reports/channels/"),
        ("Reports: channels (manager, this Jalali year)", manager, "/reports/channels/?preset=year"),
        ("Reports: knowledge base (manager)", manager, "/reports/kb/"),
        ("Reports: Article 6 (manager)", manager, "/reports/article6/"),
    ]  # fmt: skip
    terms = [
        (f"Queue, keyword search «{typed}» ({label})", manager, f"/tickets/queue/?q={typed}&status=any", label, stored)
        for label, stored, typed, _sentence, _share in seed.TERMS
    ]
    clients: dict[int, Client] = {}

    def one(label: str, user: User, url: str) -> dict:
        client = clients.setdefault(user.pk, client_for(user))
        result = measure(client, url, runs, warmup)
        result.update(label=label, url=url)
        print(f"  {label:<60} {result['median']:7.1f} ms  p95 {result['p95']:7.1f} ms  {result['queries']:3} queries",
              flush=True)  # fmt: skip
        return result

    results = [one(label, user, url) for label, user, url in pages]
    searches = []
    for label, user, url, frequency, stored in terms:
        result = one(label, user, url)
        result.update(frequency=frequency, term=stored,
                      matches=Ticket.objects.filter(search_document__contains=normalize(stored)).count())  # fmt: skip
        searches.append(result)
    return results, searches


def drain(backlog: int) -> dict:
    """An SLA backlog: `backlog` running tickets whose resolution deadline passed an hour ago unrecorded (as after
    an import or an outage of the beat), cleared by calling the real scan (`tickets.services.sla.sla_scan`, what
    the beat task runs) until a run finds nothing. Timed from the first run to the last; queries counted."""
    now = timezone.now()
    due = now - timezone.timedelta(hours=1)
    running = Ticket.objects.filter(status__in=SLA_RUNNING, sla_paused_at__isnull=True, merged_into__isnull=True)
    ids = list(running.order_by("-pk").values_list("pk", flat=True)[:backlog])
    Ticket.objects.filter(pk__in=ids).update(
        resolution_due=due, resolution_warn_at=due - timezone.timedelta(hours=4),
        resolution_warned_at=due - timezone.timedelta(hours=4), resolution_breached_at=None,
        escalation_level=0, escalate_at=None,
    )  # fmt: skip
    print(f"  SLA backlog: {len(ids):,} overdue tickets …", flush=True)
    runs, breached, escalated = 0, 0, 0
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        while True:
            result = sla_scan()
            runs += 1
            breached += len(result.breached)
            escalated += len(result.escalated)
            if not (result.breached or result.warned or result.escalated):
                break
    seconds = time.perf_counter() - started
    left = Ticket.objects.filter(pk__in=ids, resolution_breached_at__isnull=True).count()
    out = {"backlog": len(ids), "breached": breached, "escalated": escalated, "runs": runs, "seconds": seconds,
           "queries": len(ctx.captured_queries), "left": left}  # fmt: skip
    print(f"  SLA backlog cleared in {seconds:.1f} s ({runs} scan runs, {out['queries']:,} queries, {left} left)")
    return out


def results_path(vendor: str, n_tickets: int) -> Path:
    name = "results" if vendor == "sqlite" else f"results-{vendor}"
    if n_tickets != 100_000:
        name += f"-{n_tickets // 1000}k" if n_tickets < 1_000_000 else f"-{n_tickets // 1_000_000}m"
    return RESULTS.with_name(name + ".md")


def row(r: dict, floor: float, first: str) -> str:
    return f"| {first} | {r['median']:.1f} | {r['p95']:.1f} | {r['median'] / floor:.1f} | {r['queries']} |"


def refresh_rollup() -> dict:
    """The reports' daily roll-up brought up to yesterday, as beat keeps it (`reports.stats.refresh`: every day
    the first time, since then the days that changed or ended)."""
    started = time.perf_counter()
    result = stats.refresh()
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(f"bench: roll-up refreshed in {result['seconds']} s ({result['days']} days, {result['rows']:,} rows)")
    return result


def write(results: list[dict], searches: list[dict], counts: dict, runs: int, warmup: int, seeded: dict | None,
          rolled: dict, drained: dict | None, http: list[dict]) -> str:  # fmt: skip
    floor = results[0]["median"]
    vendor = connection.vendor
    version = (
        connection.Database.sqlite_version if vendor == "sqlite" else connection.cursor().connection.info.server_version
    )
    lines = [
        f"# Benchmark: queue, ticket and report pages at {counts['tickets']:,} tickets",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {vendor} {version} · Python {platform.python_version()} · "
        f"Django {django.get_version()} · {platform.machine()}, {os.cpu_count()} CPUs (shared) · {runs} requests per "
        f"page after {warmup} warm-up requests, Django test client in-process (no network, no web server).",
        "",
        f"Data: {counts['tickets']:,} tickets, {counts['messages']:,} messages, {counts['tags']:,} tag links, "
        f"{counts['events']:,} timeline events, {counts['users']:,} users, 8 departments.",
    ]
    if seeded:
        lines.append(
            f"Seeded in {seeded['seconds']} s wall clock ({seeded['rows_seconds']} s rows and indexes, then ANALYZE; "
            f"{seeded['cpu_seconds']} s CPU in the seeding process) by "
            f"bench/seed.py ({'COPY' if vendor == 'postgresql' else 'batched executemany in one transaction'})."
        )
    lines.append(
        f"Reports' daily roll-up (`reports.stats.refresh`, the beat task's body) before measuring: {rolled['days']} "
        f"days, {rolled['rows']:,} rows written in {rolled['seconds']} s."
    )
    lines += ["", "| page | median (ms) | p95 (ms) | × floor | queries |", "|---|---:|---:|---:|---:|"]
    lines += [row(r, floor, r["label"]) for r in results]
    lines += [
        "",
        "## Keyword search by frequency",
        "",
        "The seeded text uses a controlled vocabulary: each term below is in a known share of the tickets and no",
        "other word contains it. «كتاب» is typed with Arabic kaf and yeh and found as «کتاب» (normalised).",
        "",
        "| term | share of tickets | tickets containing it | median (ms) | p95 (ms) | × floor | queries |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in searches:
        lines.append(
            f"| «{r['term']}» | {r['frequency']} | {r['matches']:,} | {r['median']:.1f} | {r['p95']:.1f} | "
            f"{r['median'] / floor:.1f} | {r['queries']} |"
        )
    if drained:
        rate = drained["breached"] / drained["seconds"] if drained["seconds"] else 0
        lines += [
            "",
            "## SLA backlog drain",
            "",
            f"{drained['backlog']:,} running tickets overdue by an hour and not yet recorded, cleared by calling",
            "`tickets.services.sla.sla_scan` (the beat task's body) until a run finds nothing. Delivery of the",
            "notifications it queues runs in-process here (bench settings: Celery eager, locmem mail, console SMS).",
            "",
            "| overdue tickets | breaches recorded | escalations | scan runs | seconds | breaches/s | queries | left |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {drained['backlog']:,} | {drained['breached']:,} | {drained['escalated']:,} | {drained['runs']} | "
            f"{drained['seconds']:.1f} | {rate:.1f} | {drained['queries']:,} | {drained['left']} |",
        ]
    if http:
        lines += ["", *overhttp.report(http)]
    notes = RESULTS.with_name("notifications.md")
    if notes.exists():
        lines += ["", "## Notification throughput", "", f"From `bench/notifications.py` ({notes.name}):", ""]
        lines += [line for line in notes.read_text(encoding="utf-8").splitlines() if line.startswith(("|", "- when"))]
    lines += [
        "",
        'Notes: the queue counts at most 1,000 matching tickets ("more than 1,000") instead of every row.',
        "Timings on a shared machine (about 8 engineers on 2 cores): the p95 column is noisier than the median.",
        "",
        "Slowest query of each page, with its plan:",
        "",
    ]
    for r in results[1:] + searches:
        lines += [f"<details><summary>{r['label']}</summary>", "", "```sql", r["slowest_sql"][:1500], "```", "",
                  "```", explain(r["slowest_sql"]), "```", "</details>", ""]  # fmt: skip
    text = "\n".join(lines) + "\n"
    results_path(vendor, counts["tickets"]).write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="requests per page before timing")
    parser.add_argument("--reseed", action="store_true", help="drop the bench data and seed again")
    parser.add_argument("--seed-only", action="store_true", help="seed (if needed) and stop")
    parser.add_argument("--backlog", type=int, default=500, help="overdue tickets for the SLA drain (0: skip)")
    parser.add_argument("--http", default="2,4", help="gunicorn worker counts for the HTTP run ('' : skip)")
    parser.add_argument("--http-seconds", type=float, default=15.0, help="seconds of load per page and worker count")
    args = parser.parse_args()

    print(f"bench: database {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    if args.reseed:
        reset_database()
    call_command("migrate", interactive=False, verbosity=0)
    seeded = None
    if Ticket.objects.count() != args.tickets:
        if Ticket.objects.exists():
            reset_database()
            call_command("migrate", interactive=False, verbosity=0)
        print(f"bench: seeding {args.tickets:,} tickets …", flush=True)
        seeded = seed.seed(args.tickets)
        print(f"bench: seeded in {seeded['seconds']} s", flush=True)
    if args.seed_only:
        return
    counts = {
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "tags": TaggedTicket.objects.count(),
        "events": TicketEvent.objects.count(),
        "users": User.objects.count(),
    }
    rolled = refresh_rollup()
    print("bench: measuring …", flush=True)
    results, searches = run(args.runs, args.tickets, args.warmup)
    http = []
    if args.http:
        print("bench: over HTTP (gunicorn) …", flush=True)
        ticket = staff_ticket()
        pages = [("queue", "/tickets/queue/"), ("ticket page (staff)", f"/tickets/{ticket.reference}/")]
        http = overhttp.run(people()["manager"], pages, [int(w) for w in args.http.split(",")], args.http_seconds)
    drained = drain(args.backlog) if args.backlog else None  # last: it changes the data
    print()
    print(write(results, searches, counts, args.runs, args.warmup, seeded, rolled, drained, http))


if __name__ == "__main__":
    main()

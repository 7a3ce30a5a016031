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
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from taggit.models import Tag  # noqa: E402

from accounts.models import Organisation, Role, User  # noqa: E402
from helpdesk.markdown import render_markdown  # noqa: E402
from helpdesk.persian import normalize  # noqa: E402
from tickets import sla  # noqa: E402
from tickets.models import (  # noqa: E402
    Channel,
    Department,
    Message,
    Priority,
    SatisfactionRating,
    Status,
    TaggedTicket,
    Ticket,
    TicketEvent,
    TicketType,
)

RESULTS = ROOT / "bench" / "results.md"  # SQLite (the default); PostgreSQL runs write results-postgresql.md
SEED = 20250101

DEPARTMENTS = ["پشتیبانی فنی", "مالی و صورت‌حساب", "فروش", "شبکه", "نرم‌افزار", "سخت‌افزار", "آموزش", "حقوقی"]
DEPARTMENT_WEIGHTS = [30, 18, 14, 10, 10, 8, 6, 4]
PRIORITIES = [("کم", 1, "#6C757D"), ("عادی", 2, "#1E88E5"), ("زیاد", 3, "#FB8C00"), ("فوری", 4, "#E53935")]
PRIORITY_WEIGHTS = [20, 55, 18, 7]
TYPES = ["خرابی", "درخواست خدمت", "پرسش", "شکایت", "صورت‌حساب"]
STATUS_WEIGHTS = [
    (Status.NEW, 10),
    (Status.OPEN, 20),
    (Status.WAITING, 10),
    (Status.ON_HOLD, 5),
    (Status.RESOLVED, 20),
    (Status.CLOSED, 35),
]
CHANNEL_WEIGHTS = [(Channel.WEB, 60), (Channel.EMAIL, 25), (Channel.STAFF, 10), (Channel.SMS, 5)]
TAGS = [
    "فوری", "پیگیری", "چاپگر", "شبکه", "ایمیل", "vpn", "فاکتور", "استرداد", "نصب", "ارتقا", "گارانتی",
    "حساب کاربری", "رمز عبور", "کندی", "قطعی", "مودیان", "سامانه", "گزارش", "آموزش", "قرارداد",
]  # fmt: skip
SUBJECT_WORDS = [
    "چاپگر", "اینترنت", "ایمیل", "فاکتور", "سامانه", "حساب", "رمز", "سرور", "شبکه", "نرم‌افزار", "گزارش",
    "قرارداد", "پرداخت", "ورود", "خطا", "کندی", "قطعی", "نصب", "ارتقا", "پشتیبان", "اسکنر", "تلفن", "کارت",
    "مودیان", "مالیات", "کتاب", "درخواست", "بازگشت", "تمدید", "اشتراک",
]  # fmt: skip
SUBJECT_TAILS = ["کار نمی‌کند", "خطا می‌دهد", "کند است", "قطع شده", "نیاز به بررسی", "درخواست تغییر", "سؤال دارم"]
SENTENCES = [
    "از دیروز این مشکل پیش آمده است.",
    "لطفاً هرچه زودتر بررسی کنید.",
    "پیام خطا را پیوست کرده‌ام.",
    "شماره فاکتور {n} است.",
    "با کارشناس تماس گرفتم ولی پاسخی نگرفتم.",
    "این مشکل برای همه همکاران ما وجود دارد.",
    "لطفاً دوباره امتحان کنید و نتیجه را اعلام کنید.",
    "مشکل از سمت ما برطرف شد.",
    "درخواست شما به واحد مربوط ارجاع شد.",
    "آیا امکان تمدید اشتراک وجود دارد؟",
    "سامانه هنگام ورود پیغام خطای ۵۰۰ می‌دهد.",
    "نسخه جدید نرم‌افزار نصب شد.",
]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


# --- seeding --------------------------------------------------------------------------------------------------


def seed(n_tickets: int) -> dict:
    rng = random.Random(SEED)
    started = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    with transaction.atomic():
        departments = [Department.objects.create(name=name, is_public=True) for name in DEPARTMENTS]
        priorities = [Priority.objects.create(name=n, order=o, colour=c, is_default=(o == 2)) for n, o, c in PRIORITIES]
        types = [TicketType.objects.create(name=n) for n in TYPES]
        orgs = Organisation.objects.bulk_create(
            [Organisation(name=f"شرکت نمونه {i}", sharing=rng.choice(["own", "all"])) for i in range(200)]
        )
        staff = []
        for d_index, department in enumerate(departments):
            members = User.objects.bulk_create(
                [
                    User(
                        full_name=f"کارشناس {d_index}-{i}",
                        email=f"agent{d_index}-{i}@bench.example",
                        role=Role.AGENT,
                        password=UNUSABLE_PASSWORD_PREFIX,
                    )
                    for i in range(5)
                ]
            )
            department.members.add(*members)
            staff.append(members)
        supervisor = User.objects.create(
            full_name="سرپرست",
            email="supervisor@bench.example",
            role=Role.SUPERVISOR,
            password=UNUSABLE_PASSWORD_PREFIX,
        )
        departments[0].supervisors.add(supervisor)
        User.objects.create(
            full_name="مدیر", email="manager@bench.example", role=Role.MANAGER, password=UNUSABLE_PASSWORD_PREFIX
        )
        customers = User.objects.bulk_create(
            [
                User(
                    full_name=f"مشتری {i} {rng.choice(SUBJECT_WORDS)}",
                    email=f"customer{i}@bench.example",
                    mobile=f"0912{i:07d}",
                    role=Role.CUSTOMER,
                    organisation=orgs[i % len(orgs)] if i % 3 else None,
                    password=UNUSABLE_PASSWORD_PREFIX,
                )
                for i in range(5000)
            ],
            batch_size=2000,
        )
        customer_text = {c.pk: normalize(f"{c.full_name} {c.email} {c.mobile}") for c in customers}
        tags = Tag.objects.bulk_create([Tag(name=name, slug=slugify(name, allow_unicode=True)) for name in TAGS])

    references = rng.sample(range(1_000_000, 10_000_000), n_tickets)
    batch = 5000
    totals = {"tickets": 0, "messages": 0, "tags": 0, "events": 0}
    for start in range(0, n_tickets, batch):
        with transaction.atomic():
            tickets, bodies = [], []
            for i in range(start, min(start + batch, n_tickets)):
                d_index = rng.choices(range(len(departments)), weights=DEPARTMENT_WEIGHTS)[0]
                status = weighted(rng, STATUS_WEIGHTS)
                created = now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
                last = min(now, created + timedelta(minutes=rng.randint(0, 20 * 24 * 60)))
                requester = rng.choice(customers)
                subject = f"{rng.choice(SUBJECT_WORDS)} {rng.choice(SUBJECT_WORDS)} {rng.choice(SUBJECT_TAILS)}"
                n_messages = rng.randint(3, 5)
                thread = [
                    (
                        rng.random() < 0.12 and j > 0,
                        " ".join(rng.sample(SENTENCES, 2)).format(n=rng.randint(1000, 99999)),
                    )
                    for j in range(n_messages)
                ]
                bodies.append(thread)
                public = " ".join(body for internal, body in thread if not internal)
                assigned = rng.random() < 0.6
                answered = created + timedelta(hours=2) if status != Status.NEW else None
                resolved = last if status in (Status.RESOLVED, Status.CLOSED) else None
                tickets.append(
                    Ticket(
                        reference=str(references[i]),
                        subject=subject,
                        requester=requester,
                        organisation_id=requester.organisation_id,
                        department=departments[d_index],
                        type=rng.choice(types) if rng.random() < 0.8 else None,
                        priority=priorities[rng.choices(range(4), weights=PRIORITY_WEIGHTS)[0]],
                        status=status,
                        assignee=rng.choice(staff[d_index]) if assigned else None,
                        is_pinned=rng.random() < 0.005,
                        resolution_due=created + timedelta(days=rng.randint(1, 14)) if rng.random() < 0.5 else None,
                        channel=weighted(rng, CHANNEL_WEIGHTS),
                        created_by=requester,
                        created_at=created,
                        first_response_at=answered,
                        resolved_at=resolved,
                        **report_fields(rng, created, answered, resolved),
                        closed_at=last if status == Status.CLOSED else None,
                        last_activity_at=last,
                        search_document=normalize(f"{references[i]} {subject} {public}")
                        + " "
                        + customer_text[requester.pk],
                    )
                )
            Ticket.objects.bulk_create(tickets)
            messages, links, events = [], [], []
            for ticket, thread in zip(tickets, bodies, strict=True):
                span = (ticket.last_activity_at - ticket.created_at) / max(len(thread), 1)
                for j, (internal, body) in enumerate(thread):
                    author = (
                        ticket.requester_id if j % 2 == 0 or internal else (ticket.assignee_id or ticket.requester_id)
                    )
                    if internal:
                        author = ticket.assignee_id or staff[0][0].pk
                    messages.append(
                        Message(
                            ticket_id=ticket.pk,
                            author_id=author,
                            body=body,
                            body_html=stored_html(body),
                            is_internal=internal,
                            channel=ticket.channel,
                            created_at=ticket.created_at + span * j,
                        )
                    )
                for tag in rng.sample(tags, rng.choice([0, 0, 1, 1, 2, 3])):
                    links.append(TaggedTicket(tag=tag, content_object_id=ticket.pk))
                events.append(
                    TicketEvent(
                        ticket_id=ticket.pk,
                        kind="created",
                        actor_id=ticket.requester_id,
                        created_at=ticket.created_at,
                        data={"channel": ticket.channel, "status": "new", "internal": False},
                    )
                )
                if ticket.status != Status.NEW:
                    events.append(
                        TicketEvent(
                            ticket_id=ticket.pk,
                            kind="status",
                            actor_id=ticket.assignee_id,
                            created_at=ticket.last_activity_at,
                            data={"old": "new", "new": ticket.status},
                        )
                    )
            ratings = [
                SatisfactionRating(
                    ticket_id=t.pk, score=rng.choices(range(1, 6), weights=[5, 5, 10, 30, 50])[0],
                    resolved_at=t.resolved_at, created_at=t.resolved_at, updated_at=t.resolved_at,
                )
                for t in tickets
                if t.resolved_at and rng.random() < 0.2
            ]  # fmt: skip
            SatisfactionRating.objects.bulk_create(ratings, batch_size=5000)
            Message.objects.bulk_create(messages, batch_size=5000)
            TaggedTicket.objects.bulk_create(links, batch_size=5000)
            TicketEvent.objects.bulk_create(events, batch_size=5000)
            totals["tickets"] += len(tickets)
            totals["messages"] += len(messages)
            totals["tags"] += len(links)
            totals["events"] += len(events)
        print(f"  seeded {totals['tickets']:>7,} tickets ({time.perf_counter() - started:5.1f} s)", flush=True)
    analyse()
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals


CALENDAR = sla.Calendar()  # the default business week (no holidays)


@lru_cache(maxsize=4096)
def stored_html(body: str) -> str:
    """The sanitised HTML the services store with a message (`Message.body_html`); seeded bodies repeat."""
    return str(render_markdown(body))


def report_fields(rng: random.Random, created, answered, resolved) -> dict:
    """What the ticket services record for the reports: SLA due times (on half the tickets), how long the first
    response and the resolution took (wall-clock and business seconds) and the odd reopen."""
    fields = {"reopen_count": 1 if resolved and rng.random() < 0.05 else 0}
    if rng.random() < 0.5:
        fields["first_response_due"] = sla.add_business_seconds(CALENDAR, created, 4 * 3600)
    for name, moment in (("first_response", answered), ("resolution", resolved)):
        if moment is not None:
            fields[f"{name}_seconds"] = int((moment - created).total_seconds())
            fields[f"{name}_business_seconds"] = sla.business_seconds_between(CALENDAR, created, moment)
    return fields


def analyse() -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map that lets counts use index-only scans) —
    what autovacuum gives a production database after a bulk load."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def reset_database() -> None:
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(connection.settings_dict["NAME"]) + suffix).unlink(missing_ok=True)
    else:  # a database of its own (see bench/settings.py): start from an empty schema
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


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


def run(runs: int) -> list[dict]:
    manager = User.objects.get(email="manager@bench.example")
    agent = User.objects.get(email="agent0-0@bench.example")
    customer = User.objects.get(email="customer42@bench.example")
    supervisor = User.objects.get(email="supervisor@bench.example")
    department = Department.objects.get(name=DEPARTMENTS[0])
    ticket = Ticket.objects.filter(status=Status.OPEN).order_by("-last_activity_at").first()
    pages = [
        ("Trivial logged-in page (home) — the floor", manager, "/"),
        ("Queue, default view (manager: all 100k visible)", manager, "/tickets/queue/"),
        ("Queue, default view (agent of one department)", agent, "/tickets/queue/"),
        ("Queue, filtered (status + department + sort by priority)", manager,
         f"/tickets/queue/?status=open&department={department.pk}&sort=priority"),
        ("Queue, keyword search «كتاب» (Arabic kaf and yeh; ~9% of tickets)", manager,
         "/tickets/queue/?q=كتاب&status=any"),
        ("Queue, keyword search for a mobile number «۰۹۱۲۰۰۰۰۰۴۲» (rare)", manager,
         "/tickets/queue/?q=۰۹۱۲۰۰۰۰۰۴۲&status=any"),
        ("Ticket page (staff)", manager, f"/tickets/{ticket.reference}/"),
        ("Ticket page (customer)", ticket.requester, f"/tickets/{ticket.reference}/"),
        ("Customer portal (my tickets)", customer, "/tickets/"),
        ("Reports: overview (manager, the last 30 days)", manager, "/reports/"),
        ("Reports: overview (manager, this Jalali year)", manager, "/reports/?preset=year"),
        ("Reports: overview (supervisor of one department)", supervisor, "/reports/"),
        ("Reports: SLA (manager)", manager, "/reports/sla/"),
        ("Reports: agents (manager)", manager, "/reports/agents/"),
        ("Reports: channels (manager)", manager, "/reports/channels/"),
        ("Reports: knowledge base (manager)", manager, "/reports/kb/"),
        ("Reports: Article 6 (manager)", manager, "/reports/article6/"),
    ]  # fmt: skip
    results = []
    clients: dict[int, Client] = {}
    for label, user, url in pages:
        client = clients.setdefault(user.pk, client_for(user))
        result = measure(client, url, runs)
        result.update(label=label, url=url)
        results.append(result)
        print(f"  {label:<60} {result['median']:7.1f} ms  p95 {result['p95']:7.1f} ms  {result['queries']:3} queries",
              flush=True)  # fmt: skip
    return results


def write(results: list[dict], counts: dict, runs: int, seeded: dict | None) -> str:
    floor = results[0]["median"]
    vendor = connection.vendor
    version = (
        connection.Database.sqlite_version if vendor == "sqlite" else connection.cursor().connection.info.server_version
    )
    lines = [
        "# Benchmark: queue, ticket and report pages at 100,000 tickets",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {vendor} {version} · Python {platform.python_version()} · "
        f"Django {django.get_version()} · {platform.machine()}, {os.cpu_count()} CPUs · {runs} requests per page "
        "after 3 warm-up requests, Django test client in-process (no network, no web server).",
        "",
        f"Data: {counts['tickets']:,} tickets, {counts['messages']:,} messages, {counts['tags']:,} tag links, "
        f"{counts['events']:,} timeline events, {counts['users']:,} users, 8 departments.",
    ]
    if seeded:
        lines.append(f"Seeded in {seeded['seconds']} s with bulk inserts.")
    lines += [
        "",
        "| page | median (ms) | p95 (ms) | × floor | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['median']:.1f} | {r['p95']:.1f} | {r['median'] / floor:.1f} | {r['queries']} |"
        )
    lines += [
        "",
        'Notes: the queue counts at most 1,000 matching tickets ("more than 1,000") instead of every row; a',
        "keyword search first reads the matching ids (the GIN index on PostgreSQL, one scan of the search text on",
        "SQLite). The agent's view is slower than the manager's because `visible_tickets` ORs department, assignee,",
        "follower and creator conditions, which no single index serves. Timings on a shared machine: the p95",
        "column is noisier than the median.",
        "",
        "Slowest query of each page, with its plan:",
        "",
    ]
    for r in results[1:]:
        lines += [f"<details><summary>{r['label']}</summary>", "", "```sql", r["slowest_sql"][:1500], "```", "",
                  "```", explain(r["slowest_sql"]), "```", "</details>", ""]  # fmt: skip
    text = "\n".join(lines) + "\n"
    target = RESULTS if vendor == "sqlite" else RESULTS.with_name(f"results-{vendor}.md")
    target.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true", help="drop the bench data and seed again")
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
        seeded = seed(args.tickets)
    counts = {
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "tags": TaggedTicket.objects.count(),
        "events": TicketEvent.objects.count(),
        "users": User.objects.count(),
    }
    print("bench: measuring …", flush=True)
    results = run(args.runs)
    print()
    print(write(results, counts, args.runs, seeded))


if __name__ == "__main__":
    main()

"""Bulk seeding for `make bench`: rows generated in one pass and written straight into the database.

PostgreSQL: one `COPY … FROM STDIN` per table and chunk (psycopg 3), indexes that back no constraint dropped
during the load and rebuilt once afterwards. SQLite: batched `executemany` inserts in one transaction. Either way no
model instances, no ORM `bulk_create`, and no services: the columns the services derive are filled here the same
way (the search text through `tickets.services._common.search_head`'s order and `helpdesk.persian.normalize`, the
SLA moments and the report durations through `tickets.sla`), or afterwards by the hooks in `DERIVED` below.

The text uses a controlled vocabulary so the search terms have known frequencies (`TERMS`): a rare word, one in
about 10 %, 50 % and 80 % of the tickets; no other word of the vocabulary contains any of them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils.text import slugify
from taggit.models import Tag

from accounts.models import Organisation, Role, User
from helpdesk.markdown import render_markdown
from helpdesk.persian import normalize
from tickets import sla
from tickets.models import (
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
from tickets.services._common import SEARCH_DOCUMENT_LIMIT

SEED = 20250101
CHUNK = 10_000  # tickets generated and written per round (memory stays flat at 1M)

DEPARTMENTS = ["پشتیبانی فنی", "مالی و صورت‌حساب", "فروش", "شبکه", "نرم‌افزار", "سخت‌افزار", "آموزش", "حقوقی"]
DEPARTMENT_WEIGHTS = [30, 18, 14, 10, 10, 8, 6, 4]
PRIORITIES = [("کم", 1, "#6C757D"), ("عادی", 2, "#1E88E5"), ("زیاد", 3, "#FB8C00"), ("فوری", 4, "#E53935")]
PRIORITY_WEIGHTS = [20, 55, 18, 7]
TYPES = ["خرابی", "درخواست خدمت", "پرسش", "شکایت", "صورت‌حساب"]
STATUSES = [s.value for s in (Status.NEW, Status.OPEN, Status.WAITING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED)]
STATUS_WEIGHTS = [10, 20, 10, 5, 20, 35]
RUNNING = set(STATUSES[:4])
CHANNELS = [c.value for c in (Channel.WEB, Channel.EMAIL, Channel.STAFF, Channel.SMS)]  # plain text for COPY
CHANNEL_WEIGHTS = [60, 25, 10, 5]
TAGS = [
    "فوری", "پیگیری", "چاپگر", "شبکه", "ایمیل", "vpn", "فاکتور", "استرداد", "نصب", "ارتقا", "گارانتی",
    "حساب کاربری", "رمز عبور", "کندی", "قطعی", "مودیان", "سامانه", "گزارش", "آموزش", "قرارداد",
]  # fmt: skip
# None of these contains a search term (below) as a substring: SQLite's search matches substrings.
SUBJECT_WORDS = [
    "چاپگر", "اینترنت", "ایمیل", "فاکتور", "سرور", "شبکه", "نرم‌افزار", "گزارش", "قرارداد", "پرداخت",
    "ورود", "کندی", "قطعی", "نصب", "ارتقا", "پشتیبان", "اسکنر", "تلفن", "کارت", "مودیان", "مالیات",
    "درخواست", "بازگشت", "تمدید", "اشتراک", "حساب", "رمز", "پورتال", "پیامک", "دسترسی",
]  # fmt: skip
SUBJECT_TAILS = ["کار نمی‌کند", "کند است", "قطع شده", "نیاز به بررسی", "درخواست تغییر", "سؤال دارم", "باز نمی‌شود"]
SENTENCES = [
    "از دیروز این مشکل پیش آمده است.",
    "لطفاً هرچه زودتر بررسی کنید.",
    "تصویر صفحه را پیوست کرده‌ام.",
    "شماره فاکتور {n} است.",
    "با کارشناس تماس گرفتم ولی پاسخی نگرفتم.",
    "این مشکل برای همه همکاران ما وجود دارد.",
    "لطفاً دوباره امتحان کنید و نتیجه را اعلام کنید.",
    "مشکل از سمت ما برطرف شد.",
    "درخواست شما به واحد مربوط ارجاع شد.",
    "آیا امکان تمدید اشتراک وجود دارد؟",
    "پورتال هنگام ورود پیغام ۵۰۳ نشان می‌دهد.",
    "نسخه جدید نرم‌افزار نصب شد.",
]
# The search terms: (label, the word as stored, the word as typed in the search box, sentence, share of tickets).
# The share is the chance that a ticket's first message carries the sentence; the rare one is every 10,000th ticket.
TERMS = [
    ("rare", "کهکشان", "کهکشان", "تصویر کهکشان روی صفحه مانده است.", None),
    ("~10 %", "کتاب", "كتاب", "راهنمای کتاب کاربر را خواندم.", 0.10),  # typed with Arabic kaf (normalised)
    ("~50 %", "خطا", "خطا", "پیام خطا روی صفحه دیده می‌شود.", 0.50),
    ("~80 %", "سامانه", "سامانه", "ورود به سامانه ممکن نیست.", 0.80),
]
RARE_EVERY = 10_000
CALENDAR = sla.Calendar()  # the default business week (no holidays)


# Derived columns filled after the rows are in: one hook per column, called in this order, each given the vendor.
# Columns another branch adds are wired here, e.g. a stored search vector (PostgreSQL: `UPDATE … SET vector =
# to_tsvector(…)` unless it is a generated column; SQLite: `INSERT INTO <fts>(<fts>) VALUES('rebuild')`) and
# stored message HTML (its rebuild command). `search_document` itself is written with the ticket rows.
DERIVED: list[Callable[[str], None]] = []  # none today: the search vector is generated, FTS5 follows triggers


# The stored HTML of a body, as `tickets.services._common.message_create` writes it (bodies repeat: rendered once).
_html = cache(render_markdown)


# --- writing ----------------------------------------------------------------------------------------------------


def _as_is(value: datetime | None) -> datetime | None:
    return value


def _sqlite_datetime(value: datetime | None) -> str | None:
    """Django keeps SQLite datetimes as naive UTC text (every datetime here is in UTC already)."""
    return None if value is None else value.replace(tzinfo=None).isoformat(" ")


def _db_datetime(value: datetime | None) -> Any:
    """What the backend stores: PostgreSQL takes aware datetimes as they are."""
    return _as_is(value) if connection.vendor == "postgresql" else _sqlite_datetime(value)


class Table:
    """Rows for one model: the given columns in order, every other concrete column filled with its default."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.table = model._meta.db_table
        given = set(columns)
        rest: list[models.Field] = [
            f
            for f in model._meta.concrete_fields
            if f.column not in given and not f.primary_key and not getattr(f, "generated", False)
        ]
        self.columns = [*columns, *(f.column for f in rest)]
        self.tail = tuple(self._default(f) for f in rest)
        self.rows: list[tuple] = []

    @staticmethod
    def _default(field: models.Field) -> Any:
        if field.has_default():
            value = field.get_default()
        elif field.null:
            return None
        elif isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(f"bench seed: no value for {field.model.__name__}.{field.name}")
        if isinstance(value, dict | list):
            return json.dumps(value)
        if isinstance(value, datetime):
            return _db_datetime(value)
        return value

    def add(self, *values: Any) -> None:
        self.rows.append(values + self.tail)

    def flush(self) -> int:
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        raw = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(self.columns))
            raw.executemany(f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})', rows)  # noqa: S608 - model names
        return len(rows)


def _loose_indexes(tables: Sequence[str]) -> list[tuple[str, str]]:
    """Indexes on `tables` that back no constraint (PostgreSQL) or are not automatic (SQLite): (name, CREATE
    statement). Dropped during the load and created again once at the end: cheaper than maintaining them per row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                " WHERE t.relname = ANY(%s)"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [list(tables)],
            )
        else:
            cursor.execute("SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            return [(name, sql) for name, sql, table in cursor.fetchall() if table in tables]
        return list(cursor.fetchall())


# --- generating -------------------------------------------------------------------------------------------------


@cache
def _norm(text: str) -> str:
    return normalize(text)


def _setup(rng: random.Random) -> dict[str, Any]:
    """The few hundred rows around the tickets, through the ORM (departments, people, tags)."""
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
        staff.append([m.pk for m in members])
    supervisor = User.objects.create(
        full_name="سرپرست", email="supervisor@bench.example", role=Role.SUPERVISOR, password=UNUSABLE_PASSWORD_PREFIX
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
    tags = Tag.objects.bulk_create([Tag(name=name, slug=slugify(name, allow_unicode=True)) for name in TAGS])
    return {
        "departments": [d.pk for d in departments],
        "priorities": [p.pk for p in priorities],
        "types": [t.pk for t in types],
        "staff": staff,
        # search_head's order: reference, subject, then the requester's name, email and mobile
        "customers": [
            (c.pk, c.organisation_id, " ".join(normalize(p) for p in (c.full_name, c.email, c.mobile)))
            for c in customers
        ],
        "tags": [t.pk for t in tags],
    }


def seed(n_tickets: int) -> dict[str, Any]:
    """Seed `n_tickets` tickets (with 3–5 messages, timeline events, tags and ratings each) into an empty schema."""
    rng = random.Random(SEED)
    started, cpu = time.perf_counter(), time.process_time()
    now = datetime.now(UTC).replace(microsecond=0)
    dt = _as_is if connection.vendor == "postgresql" else _sqlite_datetime  # once, not per value
    with transaction.atomic():
        ctx = _setup(rng)
    ticket_columns = [
        "id", "reference", "subject", "requester_id", "organisation_id", "department_id", "type_id", "priority_id",
        "status", "assignee_id", "is_pinned", "first_response_due", "first_response_warn_at",
        "first_response_warned_at", "first_response_breached_at", "resolution_due", "resolution_warn_at",
        "resolution_warned_at", "resolution_breached_at", "channel", "created_by_id", "created_at",
        "first_response_at", "resolved_at", "closed_at", "last_activity_at", "first_response_seconds",
        "first_response_business_seconds", "resolution_seconds", "resolution_business_seconds", "reopen_count",
        "search_document",
    ]  # fmt: skip
    tickets = Table(Ticket, ticket_columns)
    messages = Table(Message, ["ticket_id", "author_id", "body", "body_html", "is_internal", "channel", "created_at"])
    events = Table(TicketEvent, ["ticket_id", "kind", "actor_id", "data", "created_at"])
    links = Table(TaggedTicket, ["tag_id", "content_object_id"])
    ratings = Table(SatisfactionRating, ["ticket_id", "score", "resolved_at", "created_at", "updated_at"])
    tables = (tickets, messages, events, links, ratings)
    totals = dict.fromkeys(("tickets", "messages", "events", "tags", "ratings"), 0)
    references = rng.sample(range(1_000_000, 10_000_000), n_tickets)
    dropped: list[tuple[str, str]] = []
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        with connection.cursor() as cursor:
            if pg:
                cursor.execute("SET LOCAL synchronous_commit = off")
            dropped = _loose_indexes([t.table for t in tables])
            for name, _sql in dropped:
                cursor.execute(f'DROP INDEX "{name}"')
        departments, staff, customers = ctx["departments"], ctx["staff"], ctx["customers"]
        for i in range(n_tickets):
            pk = i + 1
            d_index = rng.choices(range(len(departments)), weights=DEPARTMENT_WEIGHTS)[0]
            status = rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
            channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
            created = now - timedelta(minutes=rng.randint(60, 2 * 365 * 24 * 60))
            last = min(now, created + timedelta(minutes=rng.randint(0, 20 * 24 * 60)))
            requester, organisation, requester_text = rng.choice(customers)
            assignee = rng.choice(staff[d_index]) if rng.random() < 0.6 else None
            subject = f"{rng.choice(SUBJECT_WORDS)} {rng.choice(SUBJECT_WORDS)} {rng.choice(SUBJECT_TAILS)}"
            first = [
                s
                for (_l, _w, _t, s, share) in TERMS
                if (share is None and i % RARE_EVERY == 7) or (share and rng.random() < share)
            ]
            thread = [" ".join([*first, *rng.sample(SENTENCES, 2)]).format(n=rng.randint(1000, 1099))]
            thread += [
                " ".join(rng.sample(SENTENCES, 2)).format(n=rng.randint(1000, 1099)) for _ in range(rng.randint(2, 4))
            ]
            internal = [False] + [rng.random() < 0.12 for _ in thread[1:]]
            search = " ".join([_norm(str(references[i])), _norm(subject), requester_text] + [
                _norm(body) for body, hidden in zip(thread, internal, strict=True) if not hidden
            ])[:SEARCH_DOCUMENT_LIMIT]  # fmt: skip
            answered = created + timedelta(hours=2) if status != Status.NEW else None
            resolved = last if status not in RUNNING else None
            running = status in RUNNING
            # SLA: due times on half the tickets; a running ticket already past a moment was warned/breached by the
            # scan at that moment (so the seeded database has no backlog; the drain benchmark makes one).
            fr_due = fr_warn = fr_warned = fr_breached = None
            if rng.random() < 0.5:
                fr_due = sla.add_business_seconds(CALENDAR, created, 4 * 3600)
                fr_warn = fr_due - timedelta(hours=1)
                if running and answered is None:
                    fr_warned = fr_warn if fr_warn <= now else None
                    fr_breached = fr_due if fr_due <= now else None
            res_due = res_warn = res_warned = res_breached = None
            if rng.random() < 0.5:
                res_due = created + timedelta(days=rng.randint(1, 14))
                res_warn = res_due - timedelta(hours=4)
                if running:
                    res_warned = res_warn if res_warn <= now else None
                    res_breached = res_due if res_due <= now else None
            fr_seconds = fr_business = res_seconds = res_business = None
            if answered is not None:
                fr_seconds = int((answered - created).total_seconds())
                fr_business = sla.business_seconds_between(CALENDAR, created, answered)
            if resolved is not None:
                res_seconds = int((resolved - created).total_seconds())
                res_business = sla.business_seconds_between(CALENDAR, created, resolved)
            tickets.add(
                pk, str(references[i]), subject, requester, organisation, departments[d_index],
                rng.choice(ctx["types"]) if rng.random() < 0.8 else None,
                ctx["priorities"][rng.choices(range(4), weights=PRIORITY_WEIGHTS)[0]],
                status, assignee, rng.random() < 0.005, dt(fr_due), dt(fr_warn), dt(fr_warned), dt(fr_breached),
                dt(res_due), dt(res_warn), dt(res_warned), dt(res_breached), channel, requester, dt(created),
                dt(answered), dt(resolved), dt(last if status == Status.CLOSED else None), dt(last),
                fr_seconds, fr_business, res_seconds, res_business,
                1 if resolved and rng.random() < 0.05 else 0, search,
            )  # fmt: skip
            span = (last - created) / len(thread)
            for j, (body, hidden) in enumerate(zip(thread, internal, strict=True)):
                author = (assignee or staff[0][0]) if hidden else requester if j % 2 == 0 else (assignee or requester)
                messages.add(pk, author, body, _html(body), hidden, channel, dt(created + span * j))
            for tag in rng.sample(ctx["tags"], rng.choice([0, 0, 1, 1, 2, 3])):
                links.add(tag, pk)
            events.add(pk, "created", requester, json.dumps({"channel": channel, "status": "new", "internal": False}),
                       dt(created))  # fmt: skip
            if status != Status.NEW:
                events.add(pk, "status", assignee, json.dumps({"old": "new", "new": status}), dt(last))
            if resolved is not None and rng.random() < 0.2:
                score = rng.choices(range(1, 6), weights=[5, 5, 10, 30, 50])[0]
                ratings.add(pk, score, dt(resolved), dt(resolved), dt(resolved))
            if pk % CHUNK == 0 or pk == n_tickets:
                for name, table in zip(totals, tables, strict=True):
                    totals[name] += table.flush()
                if pk % (10 * CHUNK) == 0 or pk == n_tickets:
                    print(f"  seeded {pk:>9,} tickets ({time.perf_counter() - started:6.1f} s)", flush=True)
        with connection.cursor() as cursor:
            if pg:  # the deferred foreign-key checks run now, not with CREATE INDEX pending
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, sql in dropped:
                cursor.execute(sql)
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
                cursor.execute(sql)
        for hook in DERIVED:
            hook(connection.vendor)
    totals["rows_seconds"] = round(time.perf_counter() - started, 1)
    analyse()
    totals["seconds"] = round(time.perf_counter() - started, 1)
    totals["cpu_seconds"] = round(time.process_time() - cpu, 1)  # this process only (not the database server's)
    return totals


def analyse() -> None:
    """Planner statistics (and, on PostgreSQL, the visibility map that lets counts use index-only scans) —
    what autovacuum gives a production database after a bulk load."""
    with connection.cursor() as cursor:
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # VACUUM needs autocommit
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")

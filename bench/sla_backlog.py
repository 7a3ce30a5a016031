"""The SLA backlog drain (#15.5): seed N overdue tickets in bulk on PostgreSQL, then time `sla_scan` runs until
nothing is left to mark.

    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/sla_backlog.py --tickets 147000

The database is emptied first (bench/settings.py's rule: a database of its own). One ticket is filed through the
service, then copied N times inside the database (`INSERT … SELECT generate_series`): each copy is open,
unanswered, its first-response deadline an hour past, in a department with one supervisor and two agents, so
each scan records a breach and a level-1 escalation per ticket; the supervisor, told of hundreds in each batch, gets
the batch's digest on their default channels (SLA_DIGEST_THRESHOLD). Delivery is the workers' job: the tasks are
published to an in-memory broker, not run here.
Each run of the scan is timed like the beat's task (its time budget, then the next run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory  # noqa: E402
from helpdesk.celery import app  # noqa: E402
from notifications.models import Notification  # noqa: E402
from tickets import services  # noqa: E402
from tickets.models import Ticket, TicketEvent  # noqa: E402
from tickets.services import sla as sla_services  # noqa: E402
from tickets.tests.factories import DepartmentFactory, PriorityFactory  # noqa: E402


def seed(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    agents = [AgentFactory(), AgentFactory()]
    department = DepartmentFactory(members=agents, supervisors=[SupervisorFactory()])
    priority = PriorityFactory(name="عادی", order=2, is_default=True)
    customer = CustomerFactory()
    template = services.ticket_create(
        requester=customer, department=department, priority=priority, subject="چاپگر", body="کار نمی‌کند",
        channel="web", created_by=customer,
    )  # fmt: skip
    past = timezone.now() - timedelta(hours=1)
    Ticket.objects.filter(pk=template.pk).update(
        first_response_due=past, resolution_due=timezone.now() + timedelta(days=30), escalate_at=None
    )
    columns = [f.column for f in Ticket._meta.concrete_fields if f.column not in ("id", "reference", "search_document")]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO tickets_ticket ({names}, reference, search_document) "  # noqa: S608 - our own column names
            f"SELECT {names}, (1000000000 + g)::text, '' FROM tickets_ticket, generate_series(1, %s) AS g "
            "WHERE id = %s",
            [n, template.pk],
        )
        cursor.execute("ANALYZE tickets_ticket")
    print(f"seeded {n:,} overdue tickets in {time.perf_counter() - started:.1f} s", flush=True)


def drain() -> None:
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    runs, started = 0, time.perf_counter()
    while True:
        t0 = time.perf_counter()
        result = sla_services.sla_scan()
        runs += 1
        print(
            f"  run {runs}: {len(result.breached):,} breaches, {len(result.escalated):,} escalations, "
            f"{time.perf_counter() - t0:.1f} s{'' if result.finished else ' (budget spent, continuing)'}",
            flush=True,
        )
        if result.finished:
            break
    total = time.perf_counter() - started
    print(
        f"drained in {total:.1f} s ({runs} runs): {TicketEvent.objects.filter(kind='sla_breach').count():,} breach "
        f"events, {TicketEvent.objects.filter(kind='escalated').count():,} escalations, "
        f"{Notification.objects.filter(kind__in=['sla_breach', 'escalated']).count():,} notification rows per ticket, "
        f"{Notification.objects.filter(kind=sla_services.DIGEST).count():,} digest rows",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=147_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/sla_backlog.py needs DATABASE_URL pointing at a throw-away PostgreSQL database.")
    seed(args.tickets)
    drain()


if __name__ == "__main__":
    main()

"""CPU per request of the staff ticket page (50 messages) and the queue, against the floor (the home page).

    .venv/bin/python bench/cpu.py                     # a throw-away SQLite file under /tmp
    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/cpu.py

Builds a small data set through the real services (one ticket with 50 Markdown messages, 60 queue rows), then
the median process CPU time of `--runs` requests a page (after warm-up) through Django's test client in this
process, and the queries of one request. The ticket page is requested as a manager and as the department's agent;
everything else as the manager. The pages are requested in turn (floor, ticket, queue, filtered queue,
floor, …), so a slow spell of the machine falls on every page alike. CPU time, not wall time: the numbers hold on
a loaded machine. The filtered queue is status + department + priority, as the filter form sends them.
The garbage collector is off while measuring (`--gc` keeps it on): otherwise its passes fall on whichever page
happens to run when the other pages' garbage reaches the threshold, and the floor moves with code it does not run.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='helpdesk-cpu-')}/cpu.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.tests.factories import AgentFactory, CustomerFactory, ManagerFactory  # noqa: E402
from tickets import services  # noqa: E402
from tickets.tests.factories import DepartmentFactory, PriorityFactory  # noqa: E402

BODY = (
    "سلام، **لطفاً** این مورد را بررسی کنید:\n\n"
    "- چاپگر طبقه دوم\n- مدل HP LaserJet\n\n"
    "> از صبح کار نمی‌کند\n\n"
    "| ستون | مقدار |\n|---|---|\n| خطا | ۵۰۰ |\n\n"
    "[راهنما](https://example.com/help) و `کد ۴۲`.\n"
)


def build() -> tuple:
    call_command("migrate", verbosity=0)
    agent = AgentFactory()
    manager = ManagerFactory()
    department = DepartmentFactory(members=[agent])
    priority = PriorityFactory(name="عادی", order=2, is_default=True)
    customer = CustomerFactory()
    ticket = services.ticket_create(
        requester=customer, department=department, subject="چاپگر", body=BODY, channel="web", created_by=customer
    )
    for i in range(49):
        author = customer if i % 2 else agent
        services.reply_add(ticket=ticket, author=author, body=f"{i}\n\n{BODY}")
    for i in range(60):
        services.ticket_create(
            requester=customer,
            department=department,
            subject=f"درخواست {i}",
            body=BODY,
            channel="web",
            created_by=customer,
        )
    return manager, agent, ticket, department, priority


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def cpu_ms(requests: list[tuple[Client, str]], runs: int, collect: bool) -> list[float]:
    """The median CPU milliseconds of `runs` requests of each (client, url), requested in turn."""
    for _ in range(5):
        for client, url in requests:
            assert client.get(url).status_code == 200, url
    if not collect:
        gc.collect()
        gc.disable()
    times: list[list[float]] = [[] for _ in requests]
    for _ in range(runs):
        for i, (client, url) in enumerate(requests):
            t0 = time.process_time()
            client.get(url)
            times[i].append((time.process_time() - t0) * 1000)
    gc.enable()
    return [statistics.median(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--gc", action="store_true", help="keep the garbage collector on while measuring")
    args = parser.parse_args()
    manager, agent, ticket, department, priority = build()
    client = Client()
    client.force_login(manager)
    agent_client = Client()
    agent_client.force_login(agent)
    pages = [
        ("floor (home)", client, "/"),
        ("staff ticket page, 50 messages", client, f"/tickets/{ticket.reference}/"),
        ("  the same, as the department's agent", agent_client, f"/tickets/{ticket.reference}/"),
        ("queue (default view)", client, "/tickets/queue/"),
        (
            "queue (status+department+priority)",
            client,
            f"/tickets/queue/?status=new&status=open&department={department.pk}&priority={priority.pk}",
        ),
    ]
    medians = cpu_ms([(c, url) for _label, c, url in pages], args.runs, args.gc)
    floor = medians[0]
    for (label, c, url), cpu in zip(pages, medians, strict=True):
        print(f"{label:<38} {cpu:7.2f} ms CPU  ×{cpu / floor:5.2f}  {queries(c, url):3} queries", flush=True)


if __name__ == "__main__":
    main()

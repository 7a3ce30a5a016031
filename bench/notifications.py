"""Notification throughput: notifications per second through ONE Celery worker (solo pool) on Redis.

    .venv/bin/python bench/notifications.py                       # 500 SMS + 500 emails
    .venv/bin/python bench/notifications.py --count 2000
    BENCH_REDIS_URL=redis://127.0.0.1:6379/8 DATABASE_URL=postgres://… .venv/bin/python bench/notifications.py

What is measured: pending outbox rows are queued (one task each) and a real worker claims, sends and marks each
row — SMS over real HTTP to the local Kavenegar stub (helpdesk/tests/kavenegar_stub.py, answering at once), email
through Django's locmem backend (no network). The clock runs from the first `apply_async` to the last row marked
sent, so it includes publishing, Redis, the worker's database round trips and the HTTP call. The worker runs in a
thread of this process (like the delivery tests), on a queue of its own. Uses bench/settings.py with `DATABASE_URL`
(default: bench/notifications.sqlite3, never the development database); the rows it creates are deleted afterwards.
Results are printed and written to bench/notifications.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# A database of our own by default (not the page benchmark's seeded one): the rows are few and short-lived.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'notifications.sqlite3'}")

import django  # noqa: E402

django.setup()

from celery.contrib.testing.worker import start_worker  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from kombu import pools  # noqa: E402

from accounts.models import User  # noqa: E402
from helpdesk.celery import app  # noqa: E402
from helpdesk.tests.kavenegar_stub import API_KEY, KavenegarStub  # noqa: E402
from notifications import outbox  # noqa: E402
from notifications.models import Notification  # noqa: E402

RESULTS = ROOT / "bench" / "notifications.md"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8"))
KIND = "bench"


def bench_user() -> User:
    user = User.objects.filter(email="bench-notifications@example.com").first()
    if user is None:
        user = User.objects.create_user(
            email="bench-notifications@example.com", mobile="09129990000", full_name="کاربر آزمون کارایی"
        )
    return user


def make_rows(user: User, channel: str, count: int) -> list[int]:
    body = "میز خدمت: درخواست شما ثبت شد\nشماره پیگیری: ۴۸۳۰۲۷۱\nhttps://helpdesk.example.com/tickets/4830271/"
    rows = [
        Notification(
            recipient=user,
            channel=channel,
            kind=KIND,
            address=user.mobile if channel == "sms" else user.email,
            subject="درخواست شما ثبت شد",
            body=body,
            html=f"<p dir='rtl'>{body}</p>" if channel == "email" else "",
            provider_message_id=f"<bench.{i}@helpdesk.example.com>" if channel == "email" else "",
        )
        for i in range(count)
    ]
    return [row.pk for row in Notification.objects.bulk_create(rows, batch_size=500)]


def run(channel: str, count: int, user: User) -> dict:
    ids = make_rows(user, channel, count)
    started = time.perf_counter()
    queued = outbox.enqueue(ids)
    published = time.perf_counter()
    pending = Notification.objects.filter(pk__in=ids).exclude(state=Notification.State.SENT)
    deadline = started + max(120, count / 5)
    while pending.exists():
        if time.perf_counter() > deadline:
            states = sorted(set(pending.values_list("state", "last_error")))[:5]
            raise SystemExit(
                f"bench: {pending.count()} {channel} rows not sent after {deadline - started:.0f} s: {states}"
            )
        time.sleep(0.02)
    finished = time.perf_counter()
    Notification.objects.filter(pk__in=ids).delete()
    elapsed = finished - started
    return {
        "channel": channel,
        "count": count,
        "queued": queued,
        "publish_s": published - started,
        "elapsed_s": elapsed,
        "per_second": count / elapsed,
    }


def drop_queue(queue: str) -> None:
    """Delete our queue and the routing keys kombu keeps for it in Redis."""
    import redis

    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
    redis.Redis.from_url(REDIS_URL).delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500, help="notifications per channel")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    user = bench_user()
    Notification.objects.filter(kind=KIND).delete()

    # A queue of our own, so that no other worker on this Redis takes our tasks (and we take none of theirs).
    queue = f"helpdesk-bench-{uuid.uuid4().hex[:12]}"
    app.conf.update(
        broker_url=REDIS_URL,
        task_always_eager=False,
        broker_connection_retry_on_startup=False,
        task_default_queue=queue,
    )
    app.__dict__.pop("amqp", None)  # queues and routes are cached: rebuild them with our queue
    pools.reset()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:
        raise SystemExit(f"bench: Redis is not reachable at {REDIS_URL}: {exc}") from None

    results = []
    with KavenegarStub() as stub:
        settings.SMS_BACKEND = "kavenegar"
        settings.KAVENEGAR_API_KEY = API_KEY
        settings.KAVENEGAR_BASE_URL = stub.base_url
        settings.KAVENEGAR_SENDER = "10004346"
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60, loglevel="WARNING"):
            run("sms", min(args.count, 20), user)  # warm-up: connections, templates, imports
            for channel in ("sms", "email"):
                results.append(run(channel, args.count, user))
        assert len(stub.sent) >= args.count, "the stub should have received every SMS"
    drop_queue(queue)

    write(results, args.count)


def write(results: list[dict], count: int) -> None:
    lines = [
        "# Notification throughput (`bench/notifications.py`)",
        "",
        f"- when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; Python {platform.python_version()}, "
        f"Django {django.get_version()}, database {connection.vendor}, broker {REDIS_URL}",
        f"- {count} notifications per channel, one Celery worker (solo pool, a thread of the bench process)",
        "- SMS: real HTTP to the local Kavenegar stub (answers at once); email: Django's locmem backend",
        "- from the first `apply_async` to the last row marked sent (publish + Redis + claim/send/mark)",
        "",
        "| channel | notifications | publish (s) | total (s) | notifications/s |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['channel']} | {r['count']} | {r['publish_s']:.2f} | {r['elapsed_s']:.2f} | {r['per_second']:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()

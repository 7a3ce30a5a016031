"""`make run`: the whole product on one machine with nothing else installed (development only).

Migrates, loads the demo data, then runs the web server (runserver, on HOST:PORT), a Celery worker and Celery beat
under `helpdesk.supervisor` until Ctrl-C. The broker is `CELERY_BROKER_URL`, or the embedded one of the
development settings (files under RUN_DIR). Once the site answers (and the embedded broker's backlog, e.g. the
demo's notifications, is delivered), it prints the address, what was started and the demo accounts.
"""

from __future__ import annotations

import io
import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from kombu.utils.url import maybe_sanitize_url

from helpdesk.celery import app as celery_app
from helpdesk.supervisor import Child, supervise

WORKER_PROCESSES = 2
BACKLOG_WAIT_SECONDS = 30  # the banner waits at most this long for the embedded broker's backlog


class Command(BaseCommand):
    help = "Development: migrate, load the demo data and run the web server, a Celery worker and beat until Ctrl-C."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "runall is for development (DEBUG on). In production run gunicorn, one Celery worker per machine "
                "and one Celery beat (see the README)."
            )
        call_command("migrate", interactive=False)
        demo = io.StringIO()
        call_command("load_demo", stdout=demo)
        settings.RUN_DIR.mkdir(parents=True, exist_ok=True)

        host, port = settings.RUN_HOST, settings.RUN_PORT
        addrport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "helpdesk"]
        children = [
            Child("web", [python, str(Path(settings.BASE_DIR) / "manage.py"), "runserver", addrport]),
            Child(
                "worker",
                [
                    *celery,
                    *("worker", "--loglevel", "INFO", "--concurrency", str(WORKER_PROCESSES)),
                    *("--hostname", "runall@%h", "--without-mingle", "--without-gossip"),
                ],
            ),
            Child("beat", [*celery, "beat", "--loglevel", "WARNING", "--schedule", str(settings.RUN_DIR / "beat")]),
        ]
        started = (
            f"Started: web server (runserver {addrport}), Celery worker ({WORKER_PROCESSES} processes), "
            f"Celery beat (SLA scan, sweeps, daily jobs); broker: {self._broker()}. Ctrl-C stops them all."
        )
        since = time.monotonic()
        run_url = settings.RUN_URL

        def announce() -> bool:
            if not _answers(run_url):
                return False
            if _backlog() and time.monotonic() - since < BACKLOG_WAIT_SECONDS:
                return False
            self.stdout.write(demo.getvalue().rstrip("\n"))
            self.stdout.write(self.style.SUCCESS(f"The helpdesk is running at {run_url}/"))
            self.stdout.write(started)
            self.stdout.flush()
            return True

        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        code = supervise(children, env=env, cwd=str(settings.BASE_DIR), announce=announce)
        if code:
            raise SystemExit(code)

    @staticmethod
    def _broker() -> str:
        folder = _embedded_queue()
        if folder is not None:
            return f"embedded (files in {folder})"
        return maybe_sanitize_url(settings.CELERY_BROKER_URL)


def _embedded_queue() -> Path | None:
    """The embedded broker's message folder, when that is the broker."""
    if getattr(settings, "CELERY_BROKER_TRANSPORT", "") != "helpdesk.broker:Transport":
        return None
    return Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))


def _backlog() -> bool:
    """Tasks still waiting in the embedded broker's default queue."""
    folder = _embedded_queue()
    ending = f".{celery_app.conf.task_default_queue}.msg"
    return folder is not None and folder.is_dir() and any(name.endswith(ending) for name in os.listdir(folder))


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=0.5):
            return True
    except OSError:
        return False

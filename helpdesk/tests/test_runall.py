"""`make run` end to end: the supervisor it calls (`manage.py runall`) against a temporary SQLite database and a
temporary broker folder, on a free port, nothing else started.

Customers file tickets over HTTP, several at once, while the worker delivers their notifications (SQLite with web
and worker writing together: no "database is locked"); a ticket whose resolution deadline passes shows the breach
and the escalation on its timeline; the notification left through the worker with a link to the served address;
beat queued the daily catch-up jobs when it started; SIGINT stops every process.

Everything is the development settings except the SLA scan's interval (`runall_settings`), lowered from a minute
to 2 seconds so the test takes seconds rather than minutes.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import requests
from bs4 import BeautifulSoup

from .processes import alive, descendants, wait_until_gone

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo1234"  # the demo accounts' (accounts/demo.py)
# Variables of the developer's or CI's environment that would change what runs.
CLEARED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "SITE_URL",
    "ALLOWED_HOSTS",
    "DEBUG",
    "EMAIL_BACKEND",
    "SMS_BACKEND",
    "KAVENEGAR_API_KEY",
    "HOST",
    "PORT",
    "RUN_DIR",
    "MEDIA_ROOT",
)
STARTUP_SECONDS = 180  # migrate, demo data, three programs; generous for a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Product:
    """`manage.py runall` in a process group of its own, its output in a file."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "runall.log"
        self.env = {k: v for k, v in os.environ.items() if k not in CLEARED} | {
            "DJANGO_SETTINGS_MODULE": "helpdesk.tests.runall_settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "RUN_DIR": str(tmp_path / "run"),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "manage.py", "runall"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, pattern: str, timeout: float, flags: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.log(), flags)
            if found:
                return found
            assert self.proc.poll() is None, f"runall exited ({self.proc.returncode}):\n{self.log()[-4000:]}"
            assert time.monotonic() < deadline, f"not in the output after {timeout} s: {pattern}\n{self.log()[-4000:]}"
            time.sleep(0.2)

    def shell(self, code: str) -> str:
        """Run Python in `manage.py shell` against the product's database (the ORM, not HTTP)."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def session(self, email: str) -> requests.Session:
        session = requests.Session()
        page = session.get(f"{self.url}/accounts/login/", timeout=30)
        assert page.status_code == 200
        answer = session.post(
            f"{self.url}/accounts/login/",
            data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, answer.text[:2000]
        return session

    def kill(self) -> None:
        """After a failure: nothing may outlive the test."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for pid in descendants(self.proc.pid):
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def file_ticket(product: Product, session: requests.Session, subject: str) -> str:
    """File a ticket in the portal; returns its reference."""
    page = session.get(f"{product.url}/tickets/new/", timeout=30)
    assert page.status_code == 200
    options = BeautifulSoup(page.text, "html.parser").select("select[name=department] option[value!='']")
    answer = session.post(
        f"{product.url}/tickets/new/",
        data={
            "department": options[0]["value"],
            "subject": subject,
            "body": "چاپگر طبقه دوم چیزی چاپ نمی‌کند.",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, f"{answer.status_code}: {answer.text[:2000]}"
    return re.fullmatch(r"/tickets/(\d+)/", answer.headers["Location"]).group(1)


def test_make_run_runs_the_whole_product_and_stops_on_ctrl_c(tmp_path):
    product = Product(tmp_path)
    product.start()
    try:
        product.wait_for_log(r"The helpdesk is running at " + re.escape(product.url), STARTUP_SECONDS)
        assert "Started: web server" in product.log()
        assert "customer@example.com" in product.log()  # the demo accounts are printed
        family = descendants(product.proc.pid)
        assert len(family) >= 3  # web, worker, beat, and what they started (autoreloader, pool processes)

        # Beat queued the daily jobs that may have been missed, by name, when it started; the worker ran them.
        for task in ("limits.tasks.compute_upcoming_ceilings", "limits.tasks.expire_requests"):
            product.wait_for_log(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", 60)

        # Several customers' tickets at once while the worker writes their notifications.
        sessions = [product.session("customer@example.com") for _ in range(3)]
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(file_ticket, product, sessions[i % 3], f"درخواست همزمان {i}") for i in range(6)]
            references = [f.result() for f in futures]
        assert len(set(references)) == 6

        # The first one's email left through the worker (console backend, printed by a pool process), with a link
        # to the address served. A log record starts a line with "[<digit>"; nothing in an email does.
        first = references[0]
        product.wait_for_log(
            r"ForkPoolWorker-\d+\] Content-Type: multipart/alternative;(?:(?!\n\[\d).)*?"
            + re.escape(f"{product.url}/tickets/{first}/"),
            60,
            flags=re.DOTALL,
        )

        # Its resolution deadline passes 3 seconds from now: the scan marks the breach and escalates.
        product.shell(
            "import datetime as dt; from django.utils import timezone; from tickets.models import Ticket; "
            f"Ticket.objects.filter(reference='{first}').update("
            "resolution_due=timezone.now() + dt.timedelta(seconds=3), resolution_warn_at=None)"
        )
        manager = product.session("manager@example.com")
        deadline = time.monotonic() + 120
        while True:
            page = manager.get(f"{product.url}/tickets/{first}/", timeout=30)
            assert page.status_code == 200
            if "tk-event-sla_breach" in page.text:
                break
            assert time.monotonic() < deadline, "no breach on the timeline within 2 minutes"
            time.sleep(1)
        assert "tk-event-escalated" in page.text

        # Every notification was delivered (none pending or failed) and nothing hit a locked database.
        deadline = time.monotonic() + 60
        while (
            states := product.shell(
                "from notifications.models import Notification as N; "
                "print(sorted(set(N.objects.values_list('state', flat=True))))"
            )
        ) != "['sent']":
            assert time.monotonic() < deadline, f"notifications not all sent: {states}"
            time.sleep(2)
        assert "database is locked" not in product.log()
        assert "Traceback" not in product.log()

        family = descendants(product.proc.pid)
        os.kill(product.proc.pid, signal.SIGINT)  # Ctrl-C
        assert product.proc.wait(timeout=60) == 0, product.log()[-4000:]
        assert wait_until_gone(family) == set()
        assert not alive(product.proc.pid)
    finally:
        product.kill()

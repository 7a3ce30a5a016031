"""Faults for the fault drills (issue #10): a PostgreSQL backend terminated in the middle of a request and a real
Celery worker process that can be SIGKILLed (a Redis of the test's own that can be stopped, "broker down", is
`testing.redis_server`).

Nothing is mocked: the database connection really dies (`pg_terminate_backend` from a second connection, as a
crashed, restarted or failed-over server does it), Redis is a real server process, and the worker is `celery -A
helpdesk worker` on the test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require_postgresql() -> None:
    """These drills kill real connections: on SQLite they mean nothing (skipped, also in CI)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL fault drill (set DATABASE_URL to run it)")


# --- a killed database connection -----------------------------------------------------------------------------------


def _connect_params(conn) -> dict:
    settings = conn.settings_dict
    params = {"dbname": settings["NAME"], "user": settings["USER"], "host": settings["HOST"] or "127.0.0.1"}
    if settings["PORT"]:
        params["port"] = settings["PORT"]
    if settings["PASSWORD"]:
        params["password"] = settings["PASSWORD"]
    return params


def terminate_backend(conn) -> int:
    """Terminate `conn`'s PostgreSQL backend from a second connection and wait until it is gone."""
    import psycopg

    pid = conn.connection.info.backend_pid
    with psycopg.connect(**_connect_params(conn), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(500):
            if other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone() is None:
                break
            time.sleep(0.01)
    return pid


def is_write(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))


@dataclass
class KillPoints:
    """The points of a request where its backend can die: each write statement and each commit, in order."""

    seen: list[str] = field(default_factory=list)  # "INSERT INTO …" (the first 80 characters) or "COMMIT"
    killed: str | None = None  # the point the backend was killed at


@contextmanager
def backend_killed_at(index: int | None) -> Iterator[KillPoints]:
    """Count the kill points of the block (the test thread's connection) and, with `index`, terminate the backend
    right before point number `index` (0-based). The connection is closed afterwards (the next query reconnects)."""
    from django.db import connection

    points = KillPoints()

    def before(label: str) -> None:
        if index is not None and points.killed is None and len(points.seen) == index:
            terminate_backend(connection)
            points.killed = label
        points.seen.append(label)

    def wrapper(execute, sql, params, many, context):
        if is_write(sql):
            before(sql.strip()[:80])
        return execute(sql, params, many, context)

    original_commit = connection._commit

    def commit():
        if connection.connection is not None:
            before("COMMIT")
        return original_commit()

    connection._commit = commit
    try:
        with connection.execute_wrapper(wrapper):
            yield points
    finally:
        del connection._commit
        connection.close()


# --- a real worker process ------------------------------------------------------------------------------------------


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, as the OOM killer or a pulled plug does it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def worker_process(*, broker_url: str, queue: str, log: Path, env: dict[str, str]) -> Iterator[WorkerProcess]:
    """`celery -A helpdesk worker` (prefork, one child) on the test database, consuming `queue` at `broker_url`,
    with the given settings in its environment (DATABASE_URL and the like). Killed at the end whatever happened."""
    from django.db import connection

    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}{':' + settings['PASSWORD'] if settings['PASSWORD'] else ''}"
        f"@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "testing.worker_settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "helpdesk",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-Q",
        queue,
        "-l",
        "INFO",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    worker = WorkerProcess(process=process, log=log)
    try:
        yield worker
    finally:
        worker.kill()


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` (in the test thread; the worker is another process) until it is true."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)


# --- the drill: kill the backend at every point of a request ------------------------------------------------------


@dataclass
class Drill:
    """One action through the views: `setup()` makes what it acts on (not killed) and returns it; `post(thing)` is
    the request; `event(thing)` is the timeline event the action records (None when nothing was stored)."""

    name: str
    setup: Callable[[], object]
    post: Callable[[object], object]
    event: Callable[[object], object | None]


@dataclass
class DrillResult:
    points: list[str]
    acknowledged: int = 0  # success pages (a redirect after the action)
    refused: int = 0  # "not saved, try again" pages (503)
    stored: int = 0  # events found stored afterwards (with their outbox rows)


def run_drill(drill: Drill) -> DrillResult:
    """Run the request once to learn its kill points (each write, each commit), then once per point with the backend
    terminated right before it. Every time, either the page says it was done and the event *and* its notification
    rows are stored, or the page says "not saved, try again" (503) and nothing is: acknowledged = stored."""
    thing = drill.setup()
    with backend_killed_at(None) as dry:
        response = drill.post(thing)
    event = drill.event(thing)
    assert response.status_code == 302 and event is not None, f"{drill.name}: the action fails without a fault"
    rows = event.notifications.count()
    assert rows, f"{drill.name}: the action notifies nobody; the drill would not cover the outbox"
    result = DrillResult(points=list(dry.seen))
    for index in range(len(dry.seen)):
        thing = drill.setup()
        with backend_killed_at(index) as killed:
            response = drill.post(thing)
        event = drill.event(thing)
        where = f"{drill.name}, backend killed before {killed.killed!r}"
        assert response.status_code in (302, 503), f"{where}: answered {response.status_code}"
        if response.status_code == 302:
            result.acknowledged += 1
            assert event is not None, f"{where}: the page said it was done, but nothing was stored"
        else:
            result.refused += 1
            assert "Retry-After" in response
            assert event is None, f"{where}: the page said it was not saved, but it was"
        if event is not None:
            result.stored += 1
            assert event.notifications.count() == rows, f"{where}: stored without its notifications"
    assert result.refused, f"{drill.name}: no kill reached the request"
    assert result.acknowledged == result.stored
    return result


def terminate_other_backends() -> int:
    """Terminate every other backend on the test database (a worker thread's connection): a database restart as the
    worker sees it. Returns how many were terminated."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]

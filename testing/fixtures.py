"""The fixtures shared by the whole suite, registered as a pytest plugin by the root `conftest.py` (so tests request
them by name, no imports): people around a department, tickets filed through the real service, the `notify` log,
the notification settings, the Kavenegar stub, and a real Celery worker on Redis.

An app's own `tests/conftest.py` may still override a name for its tests (e.g. the accounts tests make their
customer through the accounts services). The set-up fixture `notifications_env` (Persian, empty SMS outboxes, reply
address) is not autouse, because a plugin's autouse fixtures would apply to the whole suite; the modules that want
it say `pytestmark = pytest.mark.usefixtures("notifications_env")`."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from contextlib import contextmanager, suppress

import pytest
from django.utils import translation

from accounts.models import Organisation
from accounts.tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    ManagerFactory,
    OrganisationFactory,
    SupervisorFactory,
)
from conftest import service_unavailable
from helpdesk.sms import backends as sms_backends
from helpdesk.tests.kavenegar_stub import API_KEY, KavenegarStub
from tickets import services
from tickets.models import Channel
from tickets.tests.factories import DepartmentFactory, PriorityFactory

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8")


@pytest.fixture
def notifications_env(settings):
    """Persian, empty SMS outboxes, the locmem SMS backend and a reply address (`usefixtures` in each module)."""
    settings.SMS_BACKEND = "locmem"
    settings.INBOUND_EMAIL_ADDRESS = "support@inbound.example.com"
    settings.MAIL_ID_DOMAIN = "helpdesk.example.com"
    settings.SITE_URL = "https://helpdesk.example.com"
    sms_backends.outbox.clear()
    sms_backends.inbox.clear()
    with translation.override("fa"):
        yield
    sms_backends.outbox.clear()
    sms_backends.inbox.clear()


# --- people -------------------------------------------------------------------------------------------------------


@pytest.fixture
def org(db):
    return OrganisationFactory(sharing=Organisation.Sharing.OWN)


@pytest.fixture
def customer(org):
    return CustomerFactory(organisation=org, full_name="مریم کاظمی", email="maryam@example.com", mobile="09121110000")


@pytest.fixture
def colleague(org):
    """Another customer of the same organisation."""
    return CustomerFactory(organisation=org)


@pytest.fixture
def stranger(db):
    """A customer of another organisation."""
    return CustomerFactory(organisation=OrganisationFactory())


@pytest.fixture
def agent(db):
    return AgentFactory(full_name="علی رضایی", email="ali@example.com", mobile="09122220000")


@pytest.fixture
def teammate(department):
    """Another agent of the department."""
    user = AgentFactory(full_name="سارا محمدی", email="sara@example.com", mobile="09123330000")
    department.members.add(user)
    return user


@pytest.fixture
def other_agent(db):
    """An agent of another department."""
    agent = AgentFactory()
    DepartmentFactory(members=[agent])
    return agent


@pytest.fixture
def supervisor(db):
    return SupervisorFactory(full_name="رضا ناظر")


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def site_admin(db):
    return AdminFactory(full_name="مدیر سامانه", email="admin@example.com")


# --- tickets ------------------------------------------------------------------------------------------------------


@pytest.fixture
def department(agent, supervisor):
    return DepartmentFactory(name="پشتیبانی فنی", members=[agent], supervisors=[supervisor])


@pytest.fixture
def priority(db):
    return PriorityFactory(name="عادی", order=2, is_default=True)


@pytest.fixture
def make_ticket(customer, department, priority):
    """File a ticket through `ticket_create` (defaults: the customer on the web portal)."""

    def make(**kwargs):
        requester = kwargs.pop("requester", customer)
        params = {
            "requester": requester,
            "department": department,
            "subject": "چاپگر کار نمی‌کند",
            "body": "از دیروز چاپگر طبقه دوم **چیزی** چاپ نمی‌کند.",
            "channel": Channel.WEB,
            "created_by": requester,
        }
        params.update(kwargs)
        return services.ticket_create(**params)

    return make


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()


class NotifyCapture(logging.Handler):
    """Collects the line `notifications.outbox.notify` logs for each event (the real function runs and writes its
    outbox rows; nothing is mocked)."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        from django.db import connection

        if not hasattr(record, "event_kind"):  # other log lines of the notifications package
            return
        record.in_transaction = connection.in_atomic_block
        self.records.append(record)

    @property
    def kinds(self) -> list[str]:
        return [r.event_kind for r in self.records]

    def clear(self):
        self.records.clear()


@pytest.fixture
def notified():
    logger = logging.getLogger("notifications")
    handler = NotifyCapture()
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


# --- SMS ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def kavenegar(settings):
    """The Kavenegar stub, with the kavenegar backend pointed at it (a 5 s timeout: a loaded machine must not turn
    an ordinary answer into a timeout; the timeout test sets a short one of its own)."""
    with KavenegarStub() as stub:
        settings.SMS_BACKEND = "kavenegar"
        settings.KAVENEGAR_API_KEY = API_KEY
        settings.KAVENEGAR_BASE_URL = stub.base_url
        settings.KAVENEGAR_SENDER = "10004346"
        settings.KAVENEGAR_TIMEOUT = 5.0
        yield stub


# --- a real worker on the real Redis ------------------------------------------------------------------------------


def redis_available(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except Exception:
        return False


def reset_connections(app) -> None:
    """Forget the app's broker connections and queues (after changing `broker_url` or `task_default_queue`).
    kombu keeps pools in a global group keyed by the connection's URL, so that group is reset too (closing a pool
    alone leaves a closed pool to reuse)."""
    from kombu import pools

    app._pool = None
    amqp = app.__dict__.pop("amqp", None)  # rebuilt on next use, with the queues and routes of the new settings
    if amqp is not None:
        amqp._producer_pool = None
    pools.reset()


@contextmanager
def celery_broker(url: str):
    """The project's Celery app publishing to `url`, not eager, for the duration of the block.

    Tasks go to a queue of this block's own (a random name), so a test run never takes another run's tasks when
    several run at once on one Redis (people in parallel, CI); the queue is deleted at the end.
    """
    from helpdesk.celery import app

    keys = (
        "broker_url",
        "task_always_eager",
        "broker_connection_retry_on_startup",
        "broker_connection_timeout",
        "task_default_queue",
    )
    # Set in the app's own layer of changes (above Django's settings, so a test's `settings.CELERY_…` override
    # can't make this block eager) and afterwards put that layer back exactly as it was (so nothing of this block
    # sticks and the next test reads Django's settings again).
    changes = app.conf.changes
    saved = {key: changes[key] for key in keys if key in changes}
    queue = f"helpdesk-test-{uuid.uuid4().hex[:12]}"
    app.conf.update(
        broker_url=url,
        task_always_eager=False,
        broker_connection_retry_on_startup=False,
        broker_connection_timeout=2,
        task_default_queue=queue,
    )
    reset_connections(app)
    try:
        yield app
    finally:
        with suppress(Exception), app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            conn.default_channel.queue_delete(queue)
        with suppress(Exception):
            import redis

            redis.Redis.from_url(url).delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        reset_connections(app)
        for key in keys:
            if key in saved:
                changes[key] = saved[key]
            else:
                changes.pop(key, None)


def _in_memory_sqlite(conn) -> bool:
    return conn.vendor == "sqlite" and conn.is_in_memory_db()


# The turns of the shared SQLite connection while a worker runs (None otherwise; see `shared_test_connection`).
_turns: threading.RLock | None = None


@contextmanager
def shared_test_connection(*, take_turns: bool = False):
    """On SQLite's in-memory test database, let other threads (the worker, a second deliverer) use this thread's
    connection, as Django's live server does: with one connection per thread, shared-cache SQLite answers
    "database table is locked" instead of waiting. PostgreSQL keeps real, separate connections.

    One connection must not run two threads' statements at once (SQLite: "cannot open savepoint - SQL statements
    in progress"; and a transaction or savepoint of one thread would swallow the other's queries). With
    `take_turns` (a worker), the test thread and the worker take turns: the test thread holds the connection, and
    lets go only while `wait_for` sleeps; the worker takes it for one whole task at a time."""
    global _turns
    from celery.signals import task_postrun, task_prerun
    from django.db import connections

    conn = connections["default"]
    if not _in_memory_sqlite(conn):
        yield
        return

    turns = threading.RLock() if take_turns else None

    def before_task(**kwargs):
        if turns is not None:
            turns.acquire()
        connections["default"] = conn

    def after_task(**kwargs):
        if turns is not None:
            turns.release()

    conn.inc_thread_sharing()
    task_prerun.connect(before_task, weak=False)
    task_postrun.connect(after_task, weak=False)
    if turns is not None:
        turns.acquire()  # the test thread's turn
        _turns = turns
    try:
        yield
    finally:
        if turns is not None:
            _hand_over_connection()
        task_prerun.disconnect(before_task)
        task_postrun.disconnect(after_task)
        conn.dec_thread_sharing()


def _hand_over_connection() -> None:
    """The test thread gives the shared connection up for good (before stopping the worker, which may be waiting
    for its turn to run a task)."""
    global _turns
    turns, _turns = _turns, None
    if turns is not None:
        turns.release()


def adopt_connection(conn) -> None:
    """In a helper thread: use `conn` (the test thread's connection) when it is in-memory SQLite."""
    from django.db import connections

    if _in_memory_sqlite(conn):
        connections["default"] = conn


@contextmanager
def running_worker(url: str = TEST_REDIS_URL):
    """A real Celery worker (solo pool, in a thread) consuming this run's own queue on Redis at `url`."""
    from celery.contrib.testing.worker import start_worker

    if not redis_available(url):
        service_unavailable(f"Redis is not reachable at {url} (set TEST_REDIS_URL)")
    with celery_broker(url) as app:
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(app.conf.task_default_queue)
        with (
            shared_test_connection(take_turns=True),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"),
        ):
            try:
                yield app
            finally:
                _hand_over_connection()  # the worker finishes its task (if any) and stops


@pytest.fixture
def worker(transactional_db):
    with running_worker() as app:
        yield app


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.05):
    """Poll until `predicate()` is true (the worker runs in another thread); fail with a clear message.

    The limit is generous (a loaded CI machine); a passing test returns as soon as the condition holds. On SQLite
    the worker gets the shared connection only while this sleeps (see `shared_test_connection`)."""
    global _turns
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            break
        turns = _turns
        if turns is not None:
            turns.release()
        try:
            time.sleep(interval)
        finally:
            # A task may run long (retries, the stub's delays); a worker that never lets go fails the test.
            if turns is not None and not turns.acquire(timeout=max(deadline - time.monotonic(), 0) + 30):
                _turns = None  # not ours any more: nothing to hand over at the end
                raise AssertionError("the worker kept the database connection: a task never finished")
    raise AssertionError(f"condition not met within {timeout} s: {getattr(predicate, '__doc__', '') or predicate}")

"""Fixtures for the tickets tests: a department with staff, customers, and a helper that files tickets
through the real service."""

import logging

import pytest

from accounts.models import Organisation
from accounts.tests.factories import (
    AdminFactory,
    AgentFactory,
    CustomerFactory,
    ManagerFactory,
    OrganisationFactory,
    SupervisorFactory,
)
from tickets import services
from tickets.models import Channel

from .factories import DepartmentFactory, PriorityFactory


@pytest.fixture
def org(db):
    return OrganisationFactory(sharing=Organisation.Sharing.OWN)


@pytest.fixture
def customer(org):
    return CustomerFactory(organisation=org, full_name="مریم کاظمی")


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
    return AgentFactory(full_name="علی رضایی")


@pytest.fixture
def other_agent(db):
    """An agent of another department."""
    agent = AgentFactory()
    DepartmentFactory(members=[agent])
    return agent


@pytest.fixture
def supervisor(db):
    return SupervisorFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


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
            "body": "از دیروز چاپگر طبقه دوم چیزی چاپ نمی‌کند.",
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
    """Collects the line `helpdesk.notifications.notify` logs for each event (the real function runs and writes
    its outbox rows; nothing is mocked)."""

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
    logger = logging.getLogger("helpdesk.notifications")
    handler = NotifyCapture()
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)

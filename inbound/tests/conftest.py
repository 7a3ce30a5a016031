# ruff: noqa: F401, F811 - fixtures imported by name and requested by name
import pytest

from helpdesk.tests.notifications_fixtures import (
    _outboxes,
    _persian,
    agent,
    colleague,
    customer,
    department,
    kavenegar,
    make_ticket,
    priority,
    supervisor,
)


@pytest.fixture(autouse=True)
def _inbound_settings(settings, department):
    department.inbound_email = "support@inbound.example.com"
    department.save(update_fields=["inbound_email"])
    settings.INBOUND_UNKNOWN_SENDERS = "create"
    settings.INBOUND_EMAIL_DEPARTMENT = ""
    settings.SMS_DEPARTMENT = department.name
    settings.KAVENEGAR_INBOUND_SECRET = "s3cret-path-token"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:pass"}
    settings.DEFAULT_FROM_EMAIL = "helpdesk@example.com"

"""The inbound tests use the notification fixtures (people, department, Kavenegar stub) of the
`testing.fixtures` plugin, registered in the root conftest."""

import pytest


@pytest.fixture(autouse=True)
def _inbound_settings(notifications_env, settings, department):
    department.inbound_email = "support@inbound.example.com"
    department.save(update_fields=["inbound_email"])
    settings.INBOUND_UNKNOWN_SENDERS = "create"
    settings.INBOUND_EMAIL_DEPARTMENT = ""
    settings.SMS_DEPARTMENT = department.name
    settings.KAVENEGAR_INBOUND_SECRET = "s3cret-path-token"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "hook:pass"}
    settings.INBOUND_EMAIL_PROVIDER = "postmark"
    settings.DEFAULT_FROM_EMAIL = "helpdesk@example.com"
    settings.INBOUND_AUTHSERV_ID = ["mx.inbound.example.com"]  # helpers.AUTHSERV_ID

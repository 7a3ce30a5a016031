"""Our deploy checks of email-in and SMS-in (#14, `check --deploy`): each configured inbound provider has its
webhook secret, and the email provider's authserv-id is set (E003, the email webhook's, is in test_routes)."""

from __future__ import annotations

import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from inbound.checks import check_authserv_id, check_sms_callback_secret

STRONG = secrets.token_urlsafe(32)


@pytest.fixture(autouse=True)
def _sms_off(settings):
    settings.SMS_DEPARTMENT = ""
    settings.KAVENEGAR_INBOUND_SECRET = ""
    settings.INBOUND_SMS_POLL_SECONDS = 0


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_email_in_without_an_authserv_id_is_warned_of(settings):
    settings.INBOUND_AUTHSERV_ID = []
    (warning,) = check_authserv_id(None)
    assert warning.id == "inbound.W001" and "INBOUND_AUTHSERV_ID" in warning.hint
    settings.INBOUND_AUTHSERV_ID = ["amazonses.com"]
    assert check_authserv_id(None) == []
    settings.INBOUND_AUTHSERV_ID, settings.INBOUND_EMAIL_PROVIDER = [], ""
    assert check_authserv_id(None) == []  # email-in off


def test_sms_in_without_a_callback_secret_or_polling_is_an_error(settings):
    assert check_sms_callback_secret(None) == []  # SMS-in off
    settings.SMS_DEPARTMENT = "پشتیبانی فنی"
    (error,) = check_sms_callback_secret(None)
    assert error.id == "inbound.E004" and "KAVENEGAR_INBOUND_SECRET" in error.hint
    settings.INBOUND_SMS_POLL_SECONDS = 60
    assert check_sms_callback_secret(None) == []  # polling only: no callback to protect
    settings.INBOUND_SMS_POLL_SECONDS = 0
    settings.KAVENEGAR_INBOUND_SECRET = STRONG
    assert check_sms_callback_secret(None) == []


@pytest.mark.parametrize("secret", ["s3cret-path-token", "a" * 23, "x" * 30 + "/y", "ein geheimnis mit leerzeichen!"])
def test_a_guessable_or_unroutable_callback_secret_is_an_error(settings, secret):
    settings.KAVENEGAR_INBOUND_SECRET = secret  # SMS-in is on with it
    assert ids(check_sms_callback_secret(None)) == ["inbound.E005"]


def test_check_deploy_runs_them(settings):
    settings.SMS_DEPARTMENT = "پشتیبانی فنی"
    settings.INBOUND_AUTHSERV_ID = []
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", "--deploy", "--tag", "security")
    assert "inbound.E004" in str(raised.value) and "inbound.W001" in str(raised.value)
    settings.KAVENEGAR_INBOUND_SECRET, settings.INBOUND_AUTHSERV_ID = STRONG, ["mx.example.ir"]
    call_command("check", "--tag", "security")  # without --deploy they are not run; nothing else fails

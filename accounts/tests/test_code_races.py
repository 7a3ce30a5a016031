"""Requests for SMS codes (sign-up, password reset) at the same moment (#14): the hourly limits are counted under a lock
(`accounts.codes.lock_code_requests`), so two concurrent requests cannot both pass the count. PostgreSQL only:
SQLite lets one writer in at a time anyway."""

from __future__ import annotations

import threading
from contextlib import suppress

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts import password_sms, services, signup
from accounts.models import PasswordResetCode, SignupCode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("notifications_env")]

NUMBER = "09351234567"


def race(request_code, monkeypatch) -> list[str]:
    """Run `request_code()` in two threads that meet, if they can, after the count and before the insert (while
    choosing the code): without the lock both get there, with it the second waits for the first to commit."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers (PostgreSQL)")
    meet = threading.Barrier(2, timeout=1)
    randbelow = signup.secrets.randbelow

    def slow_randbelow(n: int) -> int:
        with suppress(threading.BrokenBarrierError):  # alone: the other one waits for the lock (or was refused)
            meet.wait()
        return randbelow(n)

    monkeypatch.setattr(signup.secrets, "randbelow", slow_randbelow)
    results: list[str] = []

    def one():
        try:
            request_code()
            results.append("sent")
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return sorted(results)


def test_two_sign_ups_for_one_number_at_once_pass_the_limit_once(settings, monkeypatch):
    settings.SIGNUP_CODES_PER_NUMBER = 1
    results = race(
        lambda: signup.signup_request(full_name="نیما", mobile=NUMBER, client_ip="10.0.0.1", language="fa"),
        monkeypatch,
    )
    assert results == sorted(["sent", str(signup.MSG_NUMBER_LIMIT)])
    assert SignupCode.objects.filter(mobile=NUMBER).count() == 1


def test_two_sign_ups_from_one_address_at_once_pass_the_limit_once(settings, monkeypatch):
    settings.SIGNUP_CODES_PER_ADDRESS = 1
    numbers = iter(["09351234567", "09351234568"])
    results = race(
        lambda: signup.signup_request(full_name="نیما", mobile=next(numbers), client_ip="10.0.0.1", language="fa"),
        monkeypatch,
    )
    assert results == sorted(["sent", str(signup.MSG_ADDRESS_LIMIT)])
    assert SignupCode.objects.filter(client_ip="10.0.0.1").count() == 1


def test_two_password_resets_for_one_number_at_once_pass_the_limit_once(settings, monkeypatch):
    settings.PASSWORD_RESET_SMS_PER_NUMBER = 1
    services.customer_create(full_name="نیما", mobile=NUMBER, password="Zard-Aloo-1403")  # noqa: S106
    results = race(lambda: password_sms.password_reset_sms_request(mobile=NUMBER, client_ip="10.0.0.1"), monkeypatch)
    assert results == sorted(["sent", str(signup.MSG_NUMBER_LIMIT)])
    assert PasswordResetCode.objects.filter(mobile=NUMBER).count() == 1

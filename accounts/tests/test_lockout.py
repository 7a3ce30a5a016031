"""Brute-force protection (django-axes): the identifier+address pair is locked after AXES_FAILURE_LIMIT failures."""

import re

import pytest
from django.conf import settings

from accounts.tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client, username, password="wrong-password", ip="10.0.0.1"):  # noqa: S107
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def victim(db):
    return CustomerFactory(email="victim@example.com", mobile="09121112233")


def test_lockout_after_the_failure_limit_with_a_persian_page(client, victim):
    for _ in range(LIMIT - 1):
        assert attempt(client, "victim@example.com").status_code == 200
    response = attempt(client, "victim@example.com")
    body = response.content.decode()
    assert response.status_code == 429
    assert "تلاش‌های ناموفق بیش از حد برای ورود" in body
    assert "۱۵ دقیقهٔ دیگر" in body  # AXES_COOLOFF_TIME of a quarter hour, in Persian digits
    assert 'lang="fa"' in body

    # Even the right password is refused now.
    response = attempt(client, "victim@example.com", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_mobile_spellings_count_as_one_account(client, victim):
    spellings = ["09121112233", "+989121112233", "۰۹۱۲۱۱۱۲۲۳۳", "0098 912 111 2233", "9121112233"]
    responses = [attempt(client, spellings[i % len(spellings)]) for i in range(LIMIT)]
    assert [r.status_code for r in responses] == [200] * (LIMIT - 1) + [429]
    assert attempt(client, "09121112233", PASSWORD).status_code == 429


def test_email_case_counts_as_one_account(client, victim):
    for i in range(LIMIT - 1):
        attempt(client, "VICTIM@example.com" if i % 2 else "victim@example.com")
    assert attempt(client, "Victim@Example.com").status_code == 429


def test_another_user_from_the_same_address_is_not_locked(client, victim):
    other = CustomerFactory(email="other@example.com")
    for _ in range(LIMIT):
        attempt(client, "victim@example.com")
    response = attempt(client, "other@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_the_same_user_from_another_address_is_not_locked(client, victim):
    for _ in range(LIMIT):
        attempt(client, "victim@example.com", ip="10.0.0.1")
    response = attempt(client, "victim@example.com", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_success_before_the_limit_resets_the_count(client, victim):
    for _ in range(LIMIT - 1):
        attempt(client, "victim@example.com")
    assert attempt(client, "victim@example.com", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(LIMIT - 1):
        assert attempt(client, "victim@example.com").status_code == 200


def test_english_lockout_page(client, victim):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(LIMIT):
        response = attempt(client, "victim@example.com")
    assert response.status_code == 429
    assert "Please try again in 15 minutes" in response.content.decode()


def test_email_and_mobile_of_one_account_share_the_count(client, victim):
    for i in range(LIMIT - 1):
        attempt(client, "victim@example.com" if i % 2 else "+98 912 111 2233")
    assert attempt(client, "۰۹۱۲۱۱۱۲۲۳۳").status_code == 429


def test_success_by_mobile_resets_the_count(client, victim):
    for _ in range(LIMIT - 1):
        attempt(client, "09121112233")
    assert attempt(client, "+989121112233", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(LIMIT - 1):
        assert attempt(client, "09121112233").status_code == 200


# --- the account itself, from any address (#14.5) -----------------------------------------------------------------

ACCOUNT_LIMIT = settings.ACCOUNT_LOCKOUT_FAILURE_LIMIT


def spread(client, username, count, *, first_ip=1):
    """`count` failures from as many addresses, each below the per-address limit."""
    return [
        attempt(client, username, ip=f"10.1.{(first_ip + i) // 250}.{(first_ip + i) % 250 + 1}") for i in range(count)
    ]


def without_csrf(response) -> str:
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def test_many_addresses_against_one_account_get_it_locked(client, victim):
    responses = spread(client, "victim@example.com", ACCOUNT_LIMIT)
    assert [r.status_code for r in responses] == [200] * (ACCOUNT_LIMIT - 1) + [429]
    body = responses[-1].content.decode()
    assert "از یک یا چند نشانی" in body and "۶۰ دقیقهٔ دیگر" in body
    # Locked from a fresh address, even with the right password.
    response = attempt(client, "victim@example.com", PASSWORD, ip="192.0.2.7")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_account_lock_ends_after_its_cool_off(client, victim, settings):
    import time_machine
    from django.utils import timezone

    spread(client, "victim@example.com", ACCOUNT_LIMIT)
    later = timezone.now() + timezone.timedelta(hours=settings.ACCOUNT_LOCKOUT_COOLOFF_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = attempt(client, "victim@example.com", PASSWORD, ip="192.0.2.7")
    assert response.status_code == 302


def test_failures_before_a_successful_login_do_not_count(client, victim):
    spread(client, "victim@example.com", ACCOUNT_LIMIT - 1)
    assert attempt(client, "victim@example.com", PASSWORD, ip="192.0.2.8").status_code == 302
    client.post("/accounts/logout/")
    assert attempt(client, "victim@example.com", ip="192.0.2.9").status_code == 200


def test_an_unknown_account_gets_the_identical_response(client, victim):
    known = spread(client, "victim@example.com", ACCOUNT_LIMIT + 1)
    unknown = spread(client, "nobody@example.com", ACCOUNT_LIMIT + 1)
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert without_csrf(known[-1]) == without_csrf(unknown[-1])
    assert known[5].content.decode().count("errorlist") == unknown[5].content.decode().count("errorlist")


def test_the_per_address_limit_still_applies_first(client, victim):
    responses = [attempt(client, "victim@example.com") for _ in range(LIMIT)]
    assert responses[-1].status_code == 429
    assert "از نشانی شما" in responses[-1].content.decode()

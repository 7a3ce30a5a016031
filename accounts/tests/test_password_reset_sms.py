"""Password reset by SMS (#14) for customers who signed up with a mobile number and have no email: the number (any
digits, as on the login page) gets a code through the outbox; the code (any digits) and a new password set it.
Throttled per number and address, one-time, expiring, limited tries, hashed; no answer reveals whether a number
has such an account; a refusal stores nothing but the counted try."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import PasswordResetCode, Role
from accounts.password_sms import RESET_SMS_KIND
from helpdesk.persian import to_latin_digits, to_persian_digits
from helpdesk.sms import backends as sms_backends
from helpdesk.tests.pins import pinned_get
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

ASK = "/accounts/password/reset/sms/"
VERIFY = "/accounts/password/reset/sms/verify/"
COMPLETE = "/accounts/password/reset/complete/"
OLD = "Narenj-Shirin-1402"  # noqa: S105 - test passwords
NEW = "Zard-Aloo-1403"  # noqa: S105
NUMBER = "09351234567"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Each request's after-commit callbacks run, as outside a test's transaction: the outbox row's delivery task
    (eager in tests) sends the SMS."""

    class Committing:
        def __getattr__(self, name):
            method = getattr(client, name)
            if name not in ("get", "post"):
                return method

            def call(*args, **kwargs):
                with django_capture_on_commit_callbacks(execute=True):
                    return method(*args, **kwargs)

            return call

    return Committing()


@pytest.fixture
def mobile_customer(db):
    """A customer who signed up with a mobile number: no email."""
    return services.customer_create(full_name="نیما رستگار", mobile=NUMBER, password=OLD)


def ask(client, number: str = NUMBER, **extra):
    return client.post(ASK, {"mobile": number}, **extra)


def verify(client, code: str, password: str = NEW, again: str | None = None):
    return client.post(VERIFY, {"code": code, "password1": password, "password2": again or password})


def last_code() -> str:
    match = re.search(r"[0-9۰-۹]{6}", sms_backends.outbox[-1]["text"])
    assert match, sms_backends.outbox
    return to_latin_digits(match.group())


def form_errors(response) -> str:
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def logs_in(password: str) -> bool:
    browser = Client()
    browser.post(reverse("accounts:login"), {"username": NUMBER, "password": password})
    return "_auth_user_id" in browser.session


# --- the whole way ---------------------------------------------------------------------------------------------------


def test_reset_with_persian_digits_through_kavenegar(client, mobile_customer, kavenegar):
    assert "/accounts/password/reset/sms/" in client.get(reverse("accounts:password_reset")).content.decode()
    response = ask(client, number="+۹۸ ۹۳۵ ۱۲۳ ۴۵۶۷")
    assert response.status_code == 302 and response["Location"] == VERIFY
    [sms] = kavenegar.sent
    assert sms["receptor"] == NUMBER and "کد بازنشانی گذرواژه" in sms["message"]
    code = to_latin_digits(re.search(r"[۰-۹]{6}", sms["message"]).group())  # Persian digits in a Persian SMS
    row = PasswordResetCode.objects.get()
    assert row.user == mobile_customer and len(row.code_hash) == 64 and code not in row.code_hash
    outbox_row = Notification.objects.get(kind=RESET_SMS_KIND)
    assert outbox_row.recipient == mobile_customer and outbox_row.confidential
    assert outbox_row.state == Notification.State.SENT

    assert "۰۹۳۵۱۲۳۴۵۶۷" in client.get(VERIFY).content.decode()
    response = verify(client, f"{to_persian_digits(code[:3])} - {to_persian_digits(code[3:])}")
    assert response.status_code == 302 and response["Location"] == COMPLETE
    mobile_customer.refresh_from_db()
    assert mobile_customer.check_password(NEW)
    assert logs_in(NEW) and not logs_in(OLD)
    row.refresh_from_db()
    assert row.used_at is not None
    assert client.get(VERIFY)["Location"] == ASK  # the request is done


def test_arabic_digits_are_accepted(client, mobile_customer):
    ask(client, number="٠٩٣٥١٢٣٤٥٦٧")
    response = verify(client, last_code().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    assert response["Location"] == COMPLETE


def test_the_new_password_ends_the_accounts_other_sessions(client, mobile_customer):
    elsewhere = Client()
    elsewhere.force_login(mobile_customer)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200
    ask(client)
    verify(client, last_code())
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302


# --- who gets a code: the same answers for everyone ------------------------------------------------------------


@pytest.mark.parametrize("who", ["nobody", "customer with an email", "agent", "inactive"])
def test_other_numbers_get_the_same_pages_and_no_sms(client, who):
    if who == "customer with an email":
        services.customer_create(full_name="مریم", mobile=NUMBER, email="maryam@example.com", password=OLD)
    elif who == "agent":
        services.employee_create(full_name="علی", role=Role.AGENT, mobile=NUMBER, email=None, password=OLD)
    elif who == "inactive":
        user = services.customer_create(full_name="نیما", mobile=NUMBER, password=OLD)
        user.is_active = False
        user.save(update_fields=["is_active"])
    response = ask(client)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not sms_backends.outbox and not Notification.objects.exists()
    row = PasswordResetCode.objects.get()
    assert (row.user, row.code_hash) == (None, "")  # counted toward the limits; no code can match
    for code in ("123456", "000000"):
        response = verify(client, code)
        assert response.status_code == 400 and "کد درست نیست" in form_errors(response)
    row.refresh_from_db()
    assert row.attempts == 2


# --- refusals -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["", "12345", "0935123456a", "۰۲۱۱۲۳۴۵۶۷۸"])
def test_a_bad_number_is_refused(client, number):
    response = ask(client, number=number)
    assert response.status_code == 400 and form_errors(response)
    assert not PasswordResetCode.objects.exists() and not sms_backends.outbox


def test_a_wrong_code_is_counted_and_changes_nothing(client, mobile_customer):
    ask(client)
    response = verify(client, "000000" if last_code() != "000000" else "111111")
    assert response.status_code == 400 and "کد درست نیست" in form_errors(response)
    assert PasswordResetCode.objects.get().attempts == 1
    mobile_customer.refresh_from_db()
    assert mobile_customer.check_password(OLD)


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "<b>"])
def test_a_malformed_code_is_refused_without_counting(client, mobile_customer, code):
    ask(client)
    response = verify(client, code)
    assert response.status_code == 400 and "۶ رقمی" in form_errors(response)
    assert PasswordResetCode.objects.get().attempts == 0


def test_too_many_wrong_codes_kill_the_code(client, mobile_customer, settings):
    settings.PASSWORD_RESET_SMS_ATTEMPTS = 2
    ask(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    verify(client, wrong)
    verify(client, wrong)
    response = verify(client, code)  # even the right one now
    assert response.status_code == 400 and "کد تازه‌ای" in form_errors(response)
    mobile_customer.refresh_from_db()
    assert mobile_customer.check_password(OLD)


def test_an_expired_code_is_refused(client, mobile_customer):
    ask(client)
    PasswordResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verify(client, last_code())
    assert response.status_code == 400 and "منقضی" in form_errors(response)
    mobile_customer.refresh_from_db()
    assert mobile_customer.check_password(OLD)


def test_a_code_serves_once_and_spends_the_other_open_codes(client, mobile_customer):
    ask(client)
    first = last_code()
    ask(client)
    second = last_code()
    assert verify(client, second)["Location"] == COMPLETE
    assert not PasswordResetCode.objects.filter(used_at__isnull=True).exists()
    session = client.session
    session["accounts:password-reset-sms"] = PasswordResetCode.objects.order_by("pk").first().pk
    session.save()
    response = verify(client, first, password="Another-Pass-1404")
    assert response.status_code == 400 and "منقضی" in form_errors(response)
    mobile_customer.refresh_from_db()
    assert mobile_customer.check_password(NEW)


def test_mismatched_or_weak_passwords_are_refused_and_the_code_is_not_spent(client, mobile_customer):
    ask(client)
    code = last_code()
    assert verify(client, code, again="Something-Else-1403").status_code == 400
    assert verify(client, code, password="12345678").status_code == 400
    assert verify(client, code, password="09351234567").status_code == 400  # like the account's number
    row = PasswordResetCode.objects.get()
    assert row.used_at is None and row.attempts == 0
    assert verify(client, code)["Location"] == COMPLETE


def test_codes_per_number_are_limited(client, mobile_customer, settings):
    settings.PASSWORD_RESET_SMS_PER_NUMBER = 2
    ask(client)
    ask(client, number="+989351234567")
    response = ask(client, number="۰۹۳۵۱۲۳۴۵۶۷", REMOTE_ADDR="198.51.100.9")  # another address: still the number
    assert response.status_code == 400 and "برای این شماره" in form_errors(response)
    assert PasswordResetCode.objects.count() == 2 and len(sms_backends.outbox) == 2
    PasswordResetCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert ask(client).status_code == 302  # the last hour only


def test_codes_per_address_are_limited(client, settings):
    settings.PASSWORD_RESET_SMS_PER_ADDRESS = 2
    ask(client, number="09351234561")
    ask(client, number="09351234562")
    response = ask(client, number="09351234563")
    assert response.status_code == 400 and "از شبکهٔ شما" in form_errors(response)
    assert PasswordResetCode.objects.count() == 2
    assert ask(client, number="09351234563", REMOTE_ADDR="198.51.100.9").status_code == 302


def test_the_verify_page_without_a_request_goes_back_to_step_one(client):
    assert client.get(VERIFY)["Location"] == ASK
    assert verify(client, "123456")["Location"] == ASK


def test_the_forms_need_the_csrf_token(mobile_customer):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(ASK, {"mobile": NUMBER}).status_code == 403
    assert not PasswordResetCode.objects.exists()


# --- pins ----------------------------------------------------------------------------------------------------------


@pytest.mark.pins("accounts:password_reset_sms")
def test_the_request_page_query_count(client, mobile_customer):
    pinned_get(client, ASK, 0)  # a new visitor: no session
    ask(client)
    response = pinned_get(client, ASK, 2)  # "ask for a new code": the session and its request, to fill the form
    assert response.context["form"].initial == {"mobile": NUMBER}


@pytest.mark.pins("accounts:password_reset_sms_verify")
def test_the_verify_page_query_count(client, mobile_customer):
    ask(client)
    pinned_get(client, VERIFY, 2)  # the session and its request (with its account)

"""Self-registration by SMS (issue #13, "Customers"): off by default (404, no link on the login page); when an
admin allows it, a name and a mobile number get a code by SMS through the outbox, and the code with a password
makes a customer who is then logged in. Limits per number and per address, expiry, limited tries, hashed codes,
any digits; no answer reveals whether a number has an account; a refusal stores nothing (but the counted try)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, SignupCode, User
from accounts.signup import SIGNUP_SMS_KIND
from helpdesk import services as site_services
from helpdesk.persian import to_latin_digits, to_persian_digits
from helpdesk.sms import backends as sms_backends
from helpdesk.tests.pins import pinned_get
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

SIGNUP = "/accounts/signup/"
VERIFY = "/accounts/signup/verify/"
PASSWORD = "Zard-Aloo-1403"  # noqa: S105 - a test password
NUMBER = "09351234567"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Each request's after-commit callbacks run, as they do outside a test's transaction: the outbox row's
    delivery task (eager in tests) sends the SMS."""

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
def open_signup(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        site_services.site_settings_update(self_registration=True)


def sms_code(text: str) -> str:
    match = re.search(r"[0-9۰-۹]{6}", text)
    assert match, text
    return to_latin_digits(match.group())


def last_code() -> str:
    return sms_code(sms_backends.outbox[-1]["text"])


def ask(client, number: str = NUMBER, name: str = "نیما  رستگار", **extra):
    return client.post(SIGNUP, {"full_name": name, "mobile": number}, **extra)


def verify(client, code: str, password: str = PASSWORD, again: str | None = None):
    return client.post(VERIFY, {"code": code, "password1": password, "password2": again or password})


def form_errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- off by default ---------------------------------------------------------------------------------------------


def test_off_by_default_the_urls_are_404_and_the_login_page_has_no_link(client):
    assert client.get(SIGNUP).status_code == 404
    assert ask(client).status_code == 404
    assert client.get(VERIFY).status_code == 404
    assert SIGNUP not in client.get(reverse("accounts:login")).content.decode()
    assert not SignupCode.objects.exists() and not sms_backends.outbox


def test_when_allowed_the_login_page_links_to_it(client, open_signup):
    html = client.get(reverse("accounts:login")).content.decode()
    assert SIGNUP in html and "ثبت‌نام" in html


# --- the whole way, through the Kavenegar stub ---------------------------------------------------------------------


def test_sign_up_with_persian_digits_through_kavenegar_and_be_logged_in(client, open_signup, kavenegar):
    response = ask(client, number="+۹۸ ۹۳۵ ۱۲۳ ۴۵۶۷")
    assert response.status_code == 302 and response["Location"] == VERIFY
    [sms] = kavenegar.sent
    assert sms["receptor"] == NUMBER
    assert "کد ثبت‌نام شما" in sms["message"]
    code = sms_code(sms["message"])
    assert to_persian_digits(code) in sms["message"]  # Persian digits in a Persian SMS
    row = SignupCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64  # stored hashed
    outbox_row = Notification.objects.get(kind=SIGNUP_SMS_KIND)
    assert outbox_row.recipient_id is None and outbox_row.state == Notification.State.SENT

    page = client.get(VERIFY).content.decode()
    assert "۰۹۳۵۱۲۳۴۵۶۷" in page
    response = verify(client, f"{to_persian_digits(code[:3])} - {to_persian_digits(code[3:])}")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(mobile=NUMBER)
    assert user.role == Role.CUSTOMER and user.full_name == "نیما رستگار" and user.email is None
    assert user.groups.filter(name__isnull=False).exists()  # the customer role's group, as customer_create gives
    assert user.check_password(PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200  # logged in
    SignupCode.objects.get(used_at__isnull=False)


def test_the_new_customer_is_logged_in_and_can_log_in_again(client, open_signup):
    ask(client)
    verify(client, last_code())
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("accounts:logout"))
    response = client.post(reverse("accounts:login"), {"username": "۰۹۳۵۱۲۳۴۵۶۷", "password": PASSWORD})
    assert response.status_code == 302


def test_arabic_digits_in_the_code_are_accepted(client, open_signup):
    ask(client, number="٠٩٣٥١٢٣٤٥٦٧")
    code = last_code().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert verify(client, code).status_code == 302
    assert User.objects.filter(mobile=NUMBER).exists()


# --- bad input: a clear Persian message, nothing saved, never a 500 -------------------------------------------------


@pytest.mark.parametrize("number", ["", "12345", "0935123456a", "۰۲۱۸۸۷۷۶۶۵۵", "0935123456789"])
def test_a_bad_number_is_refused(client, open_signup, number):
    response = ask(client, number=number)
    assert response.status_code == 400
    assert "شماره" in form_errors(response) or "این فیلد لازم است" in form_errors(response)
    assert not SignupCode.objects.exists() and not sms_backends.outbox


def test_a_too_long_number_is_refused_in_persian_digits(client, open_signup):
    """The field's length limit speaks with the page's digits, not Django's «حداکثر 30 کاراکتر»."""
    response = ask(client, number="0935 123 4567 " * 3)
    assert response.status_code == 400
    assert form_errors(response) == "حداکثر ۳۰ نویسه وارد کنید (این ۴۱ نویسه دارد)."
    assert not SignupCode.objects.exists() and not sms_backends.outbox


def test_a_blank_name_is_refused(client, open_signup):
    response = ask(client, name="   ")
    assert response.status_code == 400 and form_errors(response)
    assert not SignupCode.objects.exists() and not sms_backends.outbox


def test_a_wrong_code_is_counted_and_creates_nothing(client, open_signup):
    ask(client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = verify(client, wrong)
    assert response.status_code == 400
    assert "کد درست نیست" in form_errors(response)
    assert not User.objects.filter(mobile=NUMBER).exists()
    assert SignupCode.objects.get().attempts == 1
    assert verify(client, code).status_code == 302  # the right code still works


@pytest.mark.parametrize("code", ["12345", "abcdef", "1234567", ""])
def test_a_malformed_code_is_refused_without_counting(client, open_signup, code):
    ask(client)
    response = verify(client, code)
    assert response.status_code == 400 and form_errors(response)
    assert SignupCode.objects.get().attempts == 0
    assert not User.objects.filter(mobile=NUMBER).exists()


def test_too_many_wrong_codes_lock_the_code(client, open_signup, settings):
    ask(client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(settings.SIGNUP_CODE_ATTEMPTS):
        verify(client, wrong)
    response = verify(client, code)  # even the right one, now
    assert response.status_code == 400
    assert "تلاش‌های نادرست" in form_errors(response)
    assert not User.objects.filter(mobile=NUMBER).exists()


def test_an_expired_code_is_refused(client, open_signup, settings):
    ask(client)
    code = last_code()
    SignupCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verify(client, code)
    assert response.status_code == 400
    assert "منقضی" in form_errors(response)
    assert not User.objects.filter(mobile=NUMBER).exists()


def test_a_code_serves_once(client, open_signup):
    ask(client)
    code = last_code()
    session_key = client.session.session_key
    assert session_key
    verify(client, code)
    client.post(reverse("accounts:logout"))
    assert client.get(VERIFY).status_code == 302  # no sign-up in this session any more


def test_mismatched_or_weak_passwords_are_refused_and_the_code_is_not_spent(client, open_signup):
    ask(client)
    code = last_code()
    assert verify(client, code, again="Something-else-1").status_code == 400
    response = verify(client, code, password="12345678")
    assert response.status_code == 400 and form_errors(response)
    assert not User.objects.filter(mobile=NUMBER).exists()
    row = SignupCode.objects.get()
    assert row.attempts == 0 and row.used_at is None
    assert verify(client, code).status_code == 302


def test_the_verify_page_without_a_request_goes_back_to_step_one(client, open_signup):
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == SIGNUP
    assert verify(client, "123456").status_code == 302
    assert not User.objects.exists()


# --- an existing number: the same answers, and its owner is told ----------------------------------------------------


def test_an_existing_number_looks_the_same_and_can_never_be_verified(client, open_signup, customer):
    new = ask(client, number="09351234567")
    existing = ask(client, number=customer.mobile)
    assert new.status_code == existing.status_code == 302 and new["Location"] == existing["Location"]
    sms = sms_backends.outbox[-1]
    assert sms["to"] == customer.mobile
    assert "حساب کاربری دارد" in sms["text"] and not re.search(r"[0-9۰-۹]{6}", sms["text"])
    row = SignupCode.objects.get(mobile=customer.mobile)
    assert row.code_hash == ""
    for guess in ("000000", "123456"):
        response = verify(client, guess)
        assert response.status_code == 400 and "کد درست نیست" in form_errors(response)
    customer.refresh_from_db()
    assert customer.full_name == "مریم احمدی"  # untouched
    assert User.objects.filter(mobile=customer.mobile).count() == 1


# --- limits --------------------------------------------------------------------------------------------------------


def test_codes_per_number_are_limited(client, open_signup, settings):
    settings.SIGNUP_CODES_PER_NUMBER = 2
    assert ask(client).status_code == 302
    assert ask(client, number="+989351234567").status_code == 302
    response = ask(client, number="۰۹۳۵۱۲۳۴۵۶۷", REMOTE_ADDR="198.51.100.9")  # another address: still the number
    assert response.status_code == 400
    assert "برای این شماره" in form_errors(response)
    assert SignupCode.objects.count() == 2 and len(sms_backends.outbox) == 2


def test_codes_per_address_are_limited(client, open_signup, settings):
    settings.SIGNUP_CODES_PER_ADDRESS = 2
    ask(client, number="09351234561")
    ask(client, number="09351234562")
    response = ask(client, number="09351234563")
    assert response.status_code == 400
    assert "از شبکهٔ شما" in form_errors(response)
    assert SignupCode.objects.count() == 2 and len(sms_backends.outbox) == 2
    assert ask(client, number="09351234563", REMOTE_ADDR="198.51.100.9").status_code == 302  # another address


def test_the_limits_count_the_last_hour_only(client, open_signup, settings):
    settings.SIGNUP_CODES_PER_NUMBER = 1
    ask(client)
    SignupCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert ask(client).status_code == 302


def test_a_logged_in_user_is_sent_home(client, open_signup, customer):
    client.force_login(customer)
    assert client.get(SIGNUP).status_code == 302
    assert ask(client).status_code == 302
    assert not SignupCode.objects.exists()


def test_the_forms_need_the_csrf_token(open_signup):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SIGNUP, {"full_name": "نیما", "mobile": NUMBER}).status_code == 403
    assert not SignupCode.objects.exists()


def test_the_admin_form_offers_the_switch(client, site_admin):
    client.force_login(site_admin)
    html = client.get(reverse("admin:helpdesk_sitesettings_change", args=[1])).content.decode()
    assert 'name="self_registration"' in html


# --- pins ----------------------------------------------------------------------------------------------------------


@pytest.mark.pins("accounts:signup")
def test_the_signup_page_query_count(client, open_signup):
    pinned_get(client, SIGNUP, 0)  # a new visitor: no session
    ask(client)
    response = pinned_get(client, SIGNUP, 2)  # "ask for a new code": the session and its request, to fill the form
    assert response.context["form"].initial == {"full_name": "نیما رستگار", "mobile": NUMBER}


@pytest.mark.pins("accounts:signup_verify")
def test_the_verify_page_query_count(client, open_signup):
    ask(client)
    pinned_get(client, VERIFY, 2)  # the session and its sign-up request


def test_the_outbox_admin_lists_a_code_sent_to_a_number_without_an_account(client, open_signup, site_admin):
    ask(client)
    client.force_login(site_admin)
    page = client.get(reverse("admin:notifications_notification_changelist"))
    assert page.status_code == 200 and page.context["cl"].result_count == 1
    assert ">کد ثبت‌نام<" in page.content.decode() and f">{SIGNUP_SMS_KIND}<" not in page.content.decode()  # its label
    row = Notification.objects.get(kind=SIGNUP_SMS_KIND)
    assert client.get(reverse("admin:notifications_notification_change", args=[row.pk])).status_code == 200

"""Login by email or mobile through the real view (django-axes sees the request), expiry and suspension."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services
from accounts.forms import MSG_INVALID_LOGIN
from accounts.tests.factories import PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_login_url_name():
    assert reverse("accounts:login") == LOGIN


@pytest.mark.parametrize(
    "identifier",
    [
        "maryam@example.com",
        "Maryam@Example.COM",
        "  maryam@example.com  ",
        "09121234567",
        "+989121234567",
        "00989121234567",
        "989121234567",
        "9121234567",
        "۰۹۱۲۱۲۳۴۵۶۷",  # Persian digits
        "٠٩١٢١٢٣٤٥٦٧",  # Arabic-Indic digits
        "+۹۸۹۱۲۱۲۳۴۵۶۷",
        "+98 912 123 4567",
        "0912 123 45 67",
        "۰۹۱۲ ۱۲۳ ۴۵۶۷",
    ],
)
def test_login_by_email_or_any_spelling_of_mobile(client, customer, identifier):
    response = login(client, identifier)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert logged_in_as(client) == str(customer.pk)


def test_login_follows_safe_next(client, customer):
    response = client.post(LOGIN + "?next=/accounts/profile/", {"username": "09121234567", "password": PASSWORD})
    assert response["Location"] == "/accounts/profile/"


def test_mobile_only_user_logs_in_by_mobile(client):
    user = services.customer_create(full_name="بی‌ایمیل", mobile="+98 935 111 2233", password=PASSWORD)
    assert user.email is None
    assert login(client, "09351112233").status_code == 302
    assert logged_in_as(client) == str(user.pk)


@pytest.mark.parametrize("password", ["wrong-password", PASSWORD.upper(), ""])
def test_wrong_password_gets_a_clear_message(client, customer, password):
    response = login(client, "maryam@example.com", password)
    assert response.status_code == 200
    assert logged_in_as(client) is None
    if password:
        assert str(MSG_INVALID_LOGIN) in response.content.decode()
        assert "گذرواژه حروف بزرگ و کوچک" in response.content.decode()  # the Persian catalogue is in use


@pytest.mark.parametrize("identifier", ["nobody@example.com", "09350000000", "not a login", "12"])
def test_unknown_login_gets_the_same_message(client, customer, identifier):
    response = login(client, identifier)
    assert response.status_code == 200
    assert str(MSG_INVALID_LOGIN) in response.content.decode()
    assert logged_in_as(client) is None


def test_inactive_user_gets_the_usual_message(client):
    CustomerFactory(email="off@example.com", is_active=False)
    response = login(client, "off@example.com")
    assert response.status_code == 200
    assert str(MSG_INVALID_LOGIN) in response.content.decode()
    assert logged_in_as(client) is None


def test_suspended_user_is_told_why(client, customer, manager):
    services.user_suspend(user=customer, reason="بدهی پرداخت‌نشده", actor=manager)
    response = login(client, "09121234567")
    body = response.content.decode()
    assert response.status_code == 200
    assert logged_in_as(client) is None
    assert "حساب کاربری شما تعلیق شده است" in body
    assert "بدهی پرداخت‌نشده" in body


def test_suspended_user_with_wrong_password_learns_nothing(client, customer, manager):
    services.user_suspend(user=customer, reason="بدهی", actor=manager)
    body = login(client, "09121234567", "wrong").content.decode()
    assert "بدهی" not in body
    assert str(MSG_INVALID_LOGIN) in body


@time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=TEHRAN), tick=False)
def test_expired_user_is_told_the_jalali_date(client):
    CustomerFactory(email="old@example.com", expires_at=dt.datetime(2025, 3, 5, 12, 0, tzinfo=TEHRAN))
    response = login(client, "old@example.com")
    body = response.content.decode()
    assert response.status_code == 200
    assert logged_in_as(client) is None
    assert "منقضی" in body
    assert "۱۵ اسفند ۱۴۰۳" in body  # 2025-03-05 in the Jalali calendar, Persian digits


@time_machine.travel(dt.datetime(2025, 3, 10, 9, 0, tzinfo=TEHRAN), tick=False)
def test_expired_user_in_english_gets_the_gregorian_date(client):
    CustomerFactory(email="old@example.com", expires_at=dt.datetime(2025, 3, 5, 12, 0, tzinfo=TEHRAN))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = login(client, "old@example.com").content.decode()
    assert "expired on 5 March 2025" in body


def test_future_expiry_still_logs_in(client):
    user = CustomerFactory(email="soon@example.com", expires_at=timezone.now() + dt.timedelta(days=1))
    assert login(client, "soon@example.com").status_code == 302
    assert logged_in_as(client) == str(user.pk)


def test_open_session_of_a_suspended_user_ends_at_the_next_request(client, customer, manager):
    client.force_login(customer)
    assert client.get("/accounts/profile/").status_code == 200
    services.user_suspend(user=customer, reason="تخلف از قوانین", actor=manager)

    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert logged_in_as(client) is None

    body = client.get(LOGIN).content.decode()
    assert "حساب کاربری شما تعلیق شده است" in body
    assert "تخلف از قوانین" in body
    # Shown once.
    assert "تخلف از قوانین" not in client.get(LOGIN).content.decode()


def test_open_session_ends_when_the_account_expires(client):
    user = CustomerFactory(expires_at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(user)
    assert client.get("/accounts/profile/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.get("/", headers={"HX-Request": "true"})
        assert response.status_code == 302
        assert response["HX-Redirect"] == LOGIN
        assert "منقضی" in client.get(LOGIN).content.decode()
    assert logged_in_as(client) is None


def test_status_check_costs_no_query(client, customer, django_assert_num_queries):
    """The middleware reads the user AuthenticationMiddleware loaded: session + user, nothing more."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from accounts.middleware import AccountStatusMiddleware

    client.force_login(customer)
    request = RequestFactory().get("/")
    request.user = customer
    with django_assert_num_queries(0):
        assert AccountStatusMiddleware(lambda r: HttpResponse("ok"))(request).status_code == 200


def test_login_sets_the_users_language(client):
    CustomerFactory(email="en@example.com", language="en")
    response = login(client, "en@example.com")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/accounts/profile/")
    assert 'lang="en"' in page.content.decode()


def test_user_language_applies_without_a_cookie(client):
    user = CustomerFactory(language="en")
    client.force_login(user)
    assert 'lang="en"' in client.get("/accounts/profile/").content.decode()
    # An explicit choice (the language switch's cookie) wins.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    assert 'lang="fa"' in client.get("/accounts/profile/").content.decode()


def test_anonymous_pages_stay_in_the_default_language(client):
    assert 'lang="fa"' in client.get(LOGIN).content.decode()


def test_logout_is_post_only_and_ends_the_session(client, customer):
    client.force_login(customer)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_logged_in_user_visiting_login_is_redirected(client, customer):
    client.force_login(customer)
    assert client.get(LOGIN).status_code == 302


def test_english_messages_when_english(client, customer):
    with translation.override("en"):
        message = str(MSG_INVALID_LOGIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert message in login(client, "maryam@example.com", "bad").content.decode()

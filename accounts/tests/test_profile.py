"""The profile page: what a person may change about themselves; bad input changes nothing."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from accounts.services import PROFILE_FIELDS
from accounts.tests.factories import CustomerFactory, OrganisationFactory
from helpdesk.tests.pins import pinned_get
from helpdesk.validators import MSG_MOBILE, MSG_NATIONAL_ID

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def form_data(user, **changes):
    data = {name: getattr(user, name) or "" for name in PROFILE_FIELDS}
    for flag in ("notify_email", "notify_sms", "notify_panel"):
        if not data[flag]:
            data.pop(flag)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def snapshot(user):
    user.refresh_from_db()
    return {name: getattr(user, name) for name in PROFILE_FIELDS}


@pytest.fixture
def logged_in(client, customer):
    client.force_login(customer)
    return client


def test_anonymous_is_sent_to_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_profile_shows_the_details(logged_in, customer):
    body = logged_in.get(PROFILE).content.decode()
    assert "maryam@example.com" in body
    assert "09121234567" in body
    assert "نمایهٔ شما" in body


def test_save_normalises_and_keeps_preferences(logged_in, customer):
    data = form_data(
        customer,
        full_name="  مریم احمدی‌نژاد ",
        email="Maryam.New@Example.com",
        mobile="+98 935 765 4321",
        national_id="۰۰۱۳۵۴۲۴۱۹",
    )
    data.pop("notify_sms")
    response = logged_in.post(PROFILE, data)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["نمایهٔ شما ذخیره شد."]
    customer.refresh_from_db()
    assert customer.full_name == "مریم احمدی‌نژاد"
    assert customer.email == "maryam.new@example.com"
    assert customer.mobile == "09357654321"
    assert customer.national_id == "0013542419"
    assert (customer.notify_email, customer.notify_sms, customer.notify_panel) == (True, False, True)


def test_changing_language_sets_the_cookie(logged_in, customer):
    response = logged_in.post(PROFILE, form_data(customer, language="en"))
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in logged_in.get(PROFILE).content.decode()


def test_bad_national_id_gets_a_clear_message_and_nothing_is_saved(logged_in, customer):
    before = snapshot(customer)
    response = logged_in.post(PROFILE, form_data(customer, full_name="نام تازه", national_id="1234567890"))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(MSG_NATIONAL_ID) in body
    assert "کد ملی" in body
    assert snapshot(customer) == before


@pytest.mark.parametrize("mobile", ["0812345678", "abc", "+1 555 123 4567", "0912123456789"])
def test_bad_mobile_gets_a_clear_message(logged_in, customer, mobile):
    before = snapshot(customer)
    response = logged_in.post(PROFILE, form_data(customer, full_name="نام تازه", mobile=mobile))
    assert response.status_code == 200
    assert str(MSG_MOBILE) in response.content.decode()
    assert snapshot(customer) == before


def test_email_of_another_account_in_any_case_is_refused(logged_in, customer):
    CustomerFactory(email="taken@example.com")
    before = snapshot(customer)
    response = logged_in.post(PROFILE, form_data(customer, email="TAKEN@example.com", full_name="نام تازه"))
    assert response.status_code == 200
    assert "کاربری با این ایمیل از قبل وجود دارد." in response.content.decode()
    assert snapshot(customer) == before


def test_mobile_of_another_account_in_any_spelling_is_refused(logged_in, customer):
    CustomerFactory(mobile="09350001122")
    before = snapshot(customer)
    response = logged_in.post(PROFILE, form_data(customer, mobile="+98 935 000 1122"))
    assert response.status_code == 200
    assert "form-control is-invalid" in response.content.decode()
    assert snapshot(customer) == before


def test_email_and_mobile_cannot_both_be_removed(logged_in, customer):
    before = snapshot(customer)
    response = logged_in.post(PROFILE, form_data(customer, email="", mobile=""))
    assert response.status_code == 200
    assert "ایمیل یا شمارهٔ موبایل را وارد کنید" in response.content.decode()
    assert snapshot(customer) == before


def test_blank_email_is_stored_as_null(logged_in, customer):
    assert logged_in.post(PROFILE, form_data(customer, email="  ")).status_code == 302
    customer.refresh_from_db()
    assert customer.email is None


def test_role_and_organisation_cannot_be_changed_here(logged_in, customer):
    data = form_data(customer, role="admin", is_staff="on", organisation=OrganisationFactory().pk)
    assert logged_in.post(PROFILE, data).status_code == 302
    customer.refresh_from_db()
    assert (customer.role, customer.is_staff, customer.organisation_id) == ("customer", False, None)


@pytest.mark.pins("accounts:profile")
@pytest.mark.parametrize("members", [1, 30])
def test_profile_query_count_does_not_grow_with_the_organisation(client, members):
    """The page shows the user's organisation; its size must not matter."""
    users = CustomerFactory.create_batch(members, organisation=OrganisationFactory())
    client.force_login(users[0])
    # session, user, organisation, and whether two-factor sign-in is on (the TOTP device)
    pinned_get(client, PROFILE, 4)

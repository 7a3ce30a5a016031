"""Self-registration by email link (issue #13, "Customers"): under the same site setting as the SMS path, a name and
an email address get a signed, dated, one-time link through the outbox; the link's page takes a password and makes
a customer who is then logged in. Limits per address and per client address, expiry, reuse, forged and truncated
links; no answer reveals whether an address has an account; a refusal stores and sends nothing."""

# The committing `client` and `open_signup` fixtures come from test_signup and are parameters here:
# ruff: noqa: F811

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role, SignupCode, User
from accounts.signup import LINK_SALT, SIGNUP_EMAIL_KIND, link_lifetime
from accounts.tests.test_signup import client, open_signup  # noqa: F401 - fixtures
from helpdesk.tests.pins import pinned_get
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

SIGNUP = "/accounts/signup/email/"
SENT = "/accounts/signup/email/sent/"
PASSWORD = "Zard-Aloo-1403"  # noqa: S105 - a test password
ADDRESS = "nima@example.com"
LINK = re.compile(r"https://helpdesk\.example\.com(/accounts/signup/email/[^/\s]+/)")


def ask(client, email: str = ADDRESS, name: str = "نیما  رستگار", **extra):
    return client.post(SIGNUP, {"full_name": name, "email": email}, **extra)


def last_link() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def confirm(client, link: str, password: str = PASSWORD, again: str | None = None):
    return client.post(link, {"password1": password, "password2": again or password})


def form_errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- off by default, and the way between the two paths --------------------------------------------------------------


def test_off_by_default_every_page_is_404(client):
    token = signing.dumps([1, "x"], salt=LINK_SALT)
    assert client.get(SIGNUP).status_code == 404
    assert ask(client).status_code == 404
    assert client.get(SENT).status_code == 404
    assert client.get(reverse("accounts:signup_email_confirm", args=[token])).status_code == 404
    assert not SignupCode.objects.exists() and not mail.outbox


def test_each_sign_up_page_links_to_the_other_way(client, open_signup):
    assert SIGNUP in client.get(reverse("accounts:signup")).content.decode()
    page = client.get(SIGNUP).content.decode()
    assert reverse("accounts:signup") in page and "ثبت‌نام با شمارهٔ همراه" in page


# --- the whole way ------------------------------------------------------------------------------------------------


def test_sign_up_by_email_link_and_be_logged_in(client, open_signup):
    response = ask(client, email="  Nima@Example.COM ")
    assert response.status_code == 302 and response["Location"] == SENT
    page = client.get(SENT).content.decode()
    assert ADDRESS in page and "تا ۱ ساعت دیگر" in page
    [message] = mail.outbox
    assert message.to == [ADDRESS] and "ثبت‌نام شما در" in message.subject
    assert "نیما رستگار عزیز" in message.body and "تا ۱ ساعت دیگر" in message.body
    outbox_row = Notification.objects.get(kind=SIGNUP_EMAIL_KIND)
    assert outbox_row.recipient_id is None and outbox_row.state == Notification.State.SENT
    link = last_link()
    row = SignupCode.objects.get()
    assert row.email == ADDRESS and row.mobile == "" and len(row.code_hash) == 64
    assert link.split("/")[-2] not in row.code_hash  # only a keyed hash of the link's secret is stored

    page = client.get(link)
    assert page.status_code == 200 and ADDRESS in page.content.decode()
    response = confirm(client, link)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(email=ADDRESS)
    assert user.role == Role.CUSTOMER and user.full_name == "نیما رستگار" and user.mobile is None
    assert user.check_password(PASSWORD) and user.language == "fa"
    assert client.get(reverse("accounts:profile")).status_code == 200  # logged in
    SignupCode.objects.get(used_at__isnull=False)


def test_the_link_works_in_another_browser(client, open_signup):
    from django.test import Client

    ask(client)
    other = Client()
    assert confirm(other, last_link()).status_code == 302
    assert other.get(reverse("accounts:profile")).status_code == 200
    other.post(reverse("accounts:logout"))
    assert other.post(reverse("accounts:login"), {"username": ADDRESS, "password": PASSWORD}).status_code == 302


# --- bad input: a clear Persian message, nothing saved, never a 500 -------------------------------------------------


@pytest.mark.parametrize(
    "email", ["", "   ", "nima", "nima@", "@example.com", "nima@example", f"{'a' * 250}@example.com"]
)
def test_a_bad_address_is_refused(client, open_signup, email):
    response = ask(client, email=email)
    assert response.status_code == 400
    assert "ایمیل" in form_errors(response) or "این فیلد لازم است" in form_errors(response)
    assert not SignupCode.objects.exists() and not mail.outbox


def test_a_blank_name_is_refused(client, open_signup):
    response = ask(client, name="   ")
    assert response.status_code == 400 and form_errors(response)
    assert not SignupCode.objects.exists() and not mail.outbox


def test_weak_or_mismatched_passwords_are_refused_and_the_link_still_works(client, open_signup):
    ask(client)
    link = last_link()
    assert confirm(client, link, again="Something-else-1").status_code == 400
    response = confirm(client, link, password=ADDRESS)  # the address itself
    assert response.status_code == 400 and form_errors(response)
    assert not User.objects.filter(email=ADDRESS).exists()
    assert SignupCode.objects.get().used_at is None
    assert confirm(client, link).status_code == 302


# --- the link: expired, reused, forged, truncated -------------------------------------------------------------------


def test_an_expired_link_is_refused(client, open_signup, settings):
    ask(client)
    link = last_link()
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.SIGNUP_LINK_MINUTES, seconds=1)):
        page = client.get(link)
        assert page.status_code == 400 and "منقضی" in page.content.decode()
        response = confirm(client, link)
    assert response.status_code == 400 and "منقضی" in response.content.decode()
    assert not User.objects.filter(email=ADDRESS).exists()
    assert reverse("accounts:signup_email") in response.content.decode()  # the way to a new link


def test_a_three_day_link_is_said_in_days_not_minutes(client, open_signup, settings):
    settings.SIGNUP_LINK_MINUTES = 3 * 24 * 60
    ask(client)
    page = client.get(SENT).content.decode()
    assert "تا ۳ روز دیگر" in page and "۴۳۲۰" not in page
    [message] = mail.outbox
    assert "تا ۳ روز دیگر" in message.body and "۴۳۲۰" not in message.body


@pytest.mark.parametrize(
    ("minutes", "english", "persian"),
    [
        (1, "1 minute", "۱ دقیقه"),
        (90, "1 hour and 30 minutes", "۱ ساعت و ۳۰ دقیقه"),
        (24 * 60, "1 day", "۱ روز"),
        (3 * 24 * 60, "3 days", "۳ روز"),
        (24 * 60 + 61, "1 day, 1 hour and 1 minute", "۱ روز، ۱ ساعت و ۱ دقیقه"),
    ],
)
def test_a_link_lifetime_in_the_largest_units_that_fit(settings, minutes, english, persian):
    settings.SIGNUP_LINK_MINUTES = minutes
    with translation.override("en"):
        assert link_lifetime() == english
    with translation.override("fa"):
        assert link_lifetime() == persian


def test_a_link_valid_for_days_outlives_the_daily_clearing(client, open_signup, settings):
    """Requests are kept a day, or longer when a link lives longer: another visitor's request two days on (which
    clears old requests) does not take a three-day link's request away."""
    settings.SIGNUP_LINK_MINUTES = 3 * 24 * 60
    ask(client)
    link = last_link()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        ask(client, email="other@example.com")
        assert SignupCode.objects.count() == 2
        assert confirm(client, link).status_code == 302
    assert User.objects.get(email=ADDRESS).role == Role.CUSTOMER
    client.post(reverse("accounts:logout"))
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        ask(client, email="third@example.com")
    assert not SignupCode.objects.filter(email=ADDRESS).exists()  # cleared once past its link's life


def test_a_row_past_its_expiry_is_refused_even_with_a_fresh_signature(client, open_signup):
    ask(client)
    link = last_link()
    SignupCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = confirm(client, link)
    assert response.status_code == 400 and "منقضی" in response.content.decode()
    assert not User.objects.filter(email=ADDRESS).exists()


def test_a_link_serves_once(client, open_signup):
    ask(client)
    link = last_link()
    assert confirm(client, link).status_code == 302
    client.post(reverse("accounts:logout"))
    response = confirm(client, link, password="Another-Pass-1404")
    assert response.status_code == 400 and "پیش‌تر به کار رفته" in response.content.decode()
    user = User.objects.get(email=ADDRESS)
    assert user.check_password(PASSWORD)  # the first password stays
    assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        signing.dumps([1, "forged"], salt="another.salt"),  # signed for something else
        signing.dumps("not-a-pair", salt=LINK_SALT),
    ],
)
def test_a_forged_or_malformed_link_is_refused(client, open_signup, token):
    ask(client)
    response = client.get(reverse("accounts:signup_email_confirm", args=[token]))
    assert response.status_code == 400 and "معتبر نیست" in response.content.decode()
    assert confirm(client, reverse("accounts:signup_email_confirm", args=[token])).status_code == 400
    assert not User.objects.filter(email=ADDRESS).exists()


def test_a_truncated_link_or_another_secret_is_refused(client, open_signup):
    ask(client)
    link = last_link()
    assert client.get(link[:-6] + "/").status_code == 400
    row = SignupCode.objects.get()
    other_secret = reverse("accounts:signup_email_confirm", args=[signing.dumps([row.pk, "guess"], salt=LINK_SALT)])
    response = confirm(client, other_secret)  # a valid signature (were the key known) still needs the secret sent
    assert response.status_code == 400 and "معتبر نیست" in response.content.decode()
    assert not User.objects.filter(email=ADDRESS).exists()


# --- an existing address: the same answers, and its owner is told ---------------------------------------------------


def test_an_existing_address_looks_the_same_and_gets_no_link(client, open_signup, customer):
    new = ask(client, email="someone.new@example.com")
    existing = ask(client, email=customer.email.upper())
    assert new.status_code == existing.status_code == 302 and new["Location"] == existing["Location"]
    message = mail.outbox[-1]
    assert message.to == [customer.email]
    assert "حساب کاربری دارد" in message.body and not LINK.search(message.body)
    row = SignupCode.objects.get(email=customer.email)
    assert row.code_hash == ""
    forged = reverse("accounts:signup_email_confirm", args=[signing.dumps([row.pk, ""], salt=LINK_SALT)])
    assert confirm(client, forged).status_code == 400
    assert User.objects.filter(email=customer.email).count() == 1


# --- limits --------------------------------------------------------------------------------------------------------


def test_links_per_address_are_limited(client, open_signup, settings):
    settings.SIGNUP_LINKS_PER_EMAIL = 2
    assert ask(client).status_code == 302
    assert ask(client, email="NIMA@example.com").status_code == 302  # the same address, in another case
    response = ask(client, REMOTE_ADDR="198.51.100.9")  # another client address: still the email address
    assert response.status_code == 400
    assert "برای این نشانی ایمیل" in form_errors(response)
    assert SignupCode.objects.count() == 2 and len(mail.outbox) == 2


def test_the_client_address_limit_counts_both_ways(client, open_signup, settings):
    settings.SIGNUP_CODES_PER_ADDRESS = 2
    client.post(reverse("accounts:signup"), {"full_name": "نیما", "mobile": "09351234561"})
    ask(client, email="a@example.com")
    response = ask(client, email="b@example.com")
    assert response.status_code == 400
    assert "از شبکهٔ شما" in form_errors(response)
    assert SignupCode.objects.count() == 2 and len(mail.outbox) == 1
    assert ask(client, email="b@example.com", REMOTE_ADDR="198.51.100.9").status_code == 302  # another address


def test_the_limits_count_the_last_hour_only(client, open_signup, settings):
    settings.SIGNUP_LINKS_PER_EMAIL = 1
    ask(client)
    SignupCode.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    assert ask(client).status_code == 302


def test_a_logged_in_user_is_sent_home(client, open_signup, customer):
    client.force_login(customer)
    assert client.get(SIGNUP).status_code == 302
    assert ask(client).status_code == 302
    assert not SignupCode.objects.exists() and not mail.outbox


def test_the_sent_page_without_a_request_goes_back_to_step_one(client, open_signup):
    response = client.get(SENT)
    assert response.status_code == 302 and response["Location"] == SIGNUP


def test_the_forms_need_the_csrf_token(open_signup):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(SIGNUP, {"full_name": "نیما", "email": ADDRESS}).status_code == 403
    assert not SignupCode.objects.exists()


def test_the_outbox_admin_shows_the_link_s_kind_by_its_label(client, open_signup, site_admin):
    ask(client)
    client.force_login(site_admin)
    page = client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    assert ">پیوند ثبت‌نام<" in page and f">{SIGNUP_EMAIL_KIND}<" not in page


# --- pins ----------------------------------------------------------------------------------------------------------


@pytest.mark.pins("accounts:signup_email")
def test_the_signup_email_page_query_count(client, open_signup):
    pinned_get(client, SIGNUP, 0)  # a new visitor: no session
    ask(client)
    response = pinned_get(client, SIGNUP, 2)  # "ask for a new link": the session and its request, to fill the form
    assert response.context["form"].initial == {"full_name": "نیما رستگار", "email": ADDRESS}


@pytest.mark.pins("accounts:signup_email_sent")
def test_the_sent_page_query_count(client, open_signup):
    ask(client)
    pinned_get(client, SENT, 2)  # the session and its sign-up request


@pytest.mark.pins("accounts:signup_email_confirm")
def test_the_link_page_query_count(client, open_signup):
    ask(client)
    pinned_get(client, last_link(), 2)  # the session, and the link's request

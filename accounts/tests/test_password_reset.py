"""Password reset by email, written in the account owner's language."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.validators import EmailValidator

from accounts.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def test_url_names():
    from django.urls import reverse

    assert reverse("accounts:password_reset") == RESET
    assert reverse("accounts:password_reset_done") == "/accounts/password/reset/done/"


def test_reset_email_in_persian_for_a_persian_user(client):
    CustomerFactory(email="maryam@example.com", full_name="مریم", language="fa")
    response = client.post(RESET, {"email": "Maryam@Example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maryam@example.com"]
    assert message.subject.startswith("بازنشانی گذرواژه در ")
    assert "مریم عزیز، سلام" in message.body
    assert "http://testserver/accounts/password/reset/" in message.body


def test_reset_email_in_the_owners_language_not_the_requesters(client):
    CustomerFactory(email="john@example.com", full_name="John", language="en")
    client.post(RESET, {"email": "john@example.com"})  # asked from a Persian page
    message = mail.outbox[0]
    assert message.subject.startswith("Reset your password on ")
    assert "Hello John," in message.body
    assert "سلام" not in message.body


def test_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post(RESET, {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_bad_address_gets_a_message(client):
    response = client.post(RESET, {"email": "not-an-email"})
    assert response.status_code == 200
    assert str(EmailValidator.message) in response.content.decode()
    assert mail.outbox == []


def test_full_reset_flow_then_login(client):
    user = CustomerFactory(email="maryam@example.com", mobile="09121234567")
    client.post(RESET, {"email": "maryam@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new = "Tazeh-Ramz-1403!"
    response = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.post("/accounts/login/", {"username": "۰۹۱۲۱۲۳۴۵۶۷", "password": new}).status_code == 302


def test_used_link_is_refused(client):
    CustomerFactory(email="maryam@example.com")
    client.post(RESET, {"email": "maryam@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Tazeh-Ramz-1403!", "new_password2": "Tazeh-Ramz-1403!"})
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
    body = client.get(link, follow=True).content.decode()
    assert "این پیوند دیگر معتبر نیست" in body


def test_account_created_without_a_password_can_choose_one(client):
    from accounts import services

    user = services.customer_create(full_name="بدون گذرواژه", email="fresh@example.com")
    assert not user.has_usable_password()
    client.post(RESET, {"email": "fresh@example.com"})
    assert len(mail.outbox) == 1


def test_inactive_account_gets_no_email(client):
    CustomerFactory(email="off@example.com", is_active=False)
    client.post(RESET, {"email": "off@example.com"})
    assert mail.outbox == []

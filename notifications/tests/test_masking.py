"""One-time codes in the outbox admin (#14): the rows of account messages (`Notification.confidential`: sign-up
and password-reset codes, reset links) are shown with the code masked; every other row as it was sent."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.forms import PASSWORD_RESET_KIND
from accounts.signup import SIGNUP_SMS_KIND, signup_request
from helpdesk.persian import to_latin_digits, to_persian_digits
from notifications.admin import MASK, mask_secrets
from notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]


def change_page(client, row: Notification) -> str:
    response = client.get(reverse("admin:notifications_notification_change", args=[row.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_sign_up_code_is_masked(admin_client):
    signup_request(full_name="نیما رستگار", mobile="09351234567", client_ip="10.0.0.1", language="fa")
    row = Notification.objects.get(kind=SIGNUP_SMS_KIND)
    code = to_latin_digits(re.search(r"[۰-۹]{6}", row.body).group())
    assert row.confidential
    html = change_page(admin_client, row)
    assert code not in html and to_persian_digits(code) not in html
    assert MASK in html and "کد ثبت‌نام" in html  # the rest of the text is shown


def test_a_password_reset_link_is_masked(admin_client, client, customer):
    assert client.post(reverse("accounts:password_reset"), {"email": customer.email}).status_code == 302
    row = Notification.objects.get(kind=PASSWORD_RESET_KIND)
    link = re.search(r"http://testserver/\S+", row.body).group()
    assert "/accounts/password/reset/" in link and row.confidential
    html = change_page(admin_client, row)
    assert link not in html and "/accounts/password/reset/" not in html
    assert f"http://testserver/{MASK}" in html
    assert customer.email in html  # «Your login: …» stays


def test_other_rows_are_shown_as_sent(admin_client, customer):
    row = Notification.objects.create(
        recipient=customer,
        channel=Notification.Channel.SMS,
        kind="created",
        address=customer.mobile,
        body="درخواست 1234567 ثبت شد: https://helpdesk.example.com/tickets/1234567/",
    )
    html = change_page(admin_client, row)
    assert MASK not in html and "/tickets/" in html


def test_mask_secrets():
    assert mask_secrets("کد شما: ۰۱۲۳۴۵ (۱۰ دقیقه)") == f"کد شما: {MASK} (۱۰ دقیقه)"
    assert mask_secrets("code ٠١٢٣٤٥, 123456.") == f"code {MASK}, {MASK}."
    assert mask_secrets("شماره 09121234567") == "شماره 09121234567"  # a mobile number is not a code
    assert mask_secrets("http://a.example/r/MQ/abc-123/ ok") == f"http://a.example/{MASK} ok"


def test_an_account_email_without_an_address_is_refused_before_anything_is_written():
    from accounts.tests.factories import CustomerFactory
    from notifications.account_mail import account_email_queue

    for user in (None, CustomerFactory(email=None, mobile="09350000000")):
        with pytest.raises(ValueError, match="needs `email` or a user with an email address"):
            account_email_queue(user=user, subject="s", body="b", kind=PASSWORD_RESET_KIND)
    assert not Notification.objects.exists()

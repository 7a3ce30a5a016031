"""Password reset by email, written in the account owner's language and sent through the outbox."""

import re
from email import message_from_bytes, policy

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core import mail
from django.core.validators import EmailValidator
from django.db import transaction
from django.test import RequestFactory

from accounts.forms import PASSWORD_RESET_KIND, LocalisedPasswordResetForm
from accounts.tests.factories import CustomerFactory
from notifications.models import Notification
from testing.fixtures import wait_for

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    """Each request's after-commit callbacks run, as they do outside a test's transaction: the outbox row's
    delivery task (eager in tests) sends the email."""

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


# --- through the outbox (#10.9) ----------------------------------------------------------------------------


def _reset_rows():
    return Notification.objects.filter(kind=PASSWORD_RESET_KIND)


def test_the_email_is_an_outbox_row_written_in_the_request_and_sent_only_after_commit(
    django_capture_on_commit_callbacks,
):
    from django.test import Client

    user = CustomerFactory(email="maryam@example.com", full_name="مریم", language="fa")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = Client().post(RESET, {"email": "maryam@example.com"})
    assert response.status_code == 302
    assert mail.outbox == [], "nothing is sent inside the request"
    row = _reset_rows().get()
    assert (row.recipient, row.channel, row.state, row.address) == (user, "email", "pending", "maryam@example.com")
    assert row.subject.startswith("بازنشانی گذرواژه در ")
    assert "مریم عزیز، سلام" in row.body and "http://testserver/accounts/password/reset/" in row.body
    assert len(callbacks) == 1  # the delivery task, queued after commit
    callbacks[0]()
    row.refresh_from_db()
    assert row.state == "sent", row.last_error
    (sent,) = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["maryam@example.com"], row.subject, row.body)


def test_a_rolled_back_request_leaves_no_row_and_sends_nothing(django_capture_on_commit_callbacks):
    CustomerFactory(email="maryam@example.com")
    form = LocalisedPasswordResetForm({"email": "maryam@example.com"})
    assert form.is_valid()
    request = RequestFactory().post(RESET)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        form.save(
            request=request,
            subject_template_name="accounts/email/password_reset_subject.txt",
            email_template_name="accounts/email/password_reset.txt",
            extra_email_context={"site_title": "x"},
        )
        assert _reset_rows().count() == 1  # written in the caller's transaction...
        raise RuntimeError("the request failed after the form was saved")
    assert not _reset_rows().exists()  # ...and gone with it
    assert mail.outbox == []


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(client):
    CustomerFactory(email="maryam@example.com")
    known = client.post(RESET, {"email": "maryam@example.com"}, follow=True)
    unknown = client.post(RESET, {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/done/", 302)]
    main = [BeautifulSoup(r.content, "html.parser").find("main").decode() for r in (known, unknown)]
    assert main[0] == main[1]
    assert _reset_rows().count() == 1 and len(mail.outbox) == 1


@pytest.mark.redis
def test_a_real_worker_delivers_the_reset_email_after_the_commit(worker, settings):
    from django.test import Client

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    CustomerFactory(email="john@example.com", full_name="John", language="en")
    assert Client().post(RESET, {"email": "john@example.com"}).status_code == 302
    row = _reset_rows().get()

    def sent():
        row.refresh_from_db()
        return row.state == "sent"

    wait_for(sent)
    (message,) = mail.outbox
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert parsed["To"] == "john@example.com"
    assert parsed["Subject"].startswith("Reset your password on ")
    assert parsed["Message-ID"].strip() == row.provider_message_id
    body = parsed.get_body(("plain",)).get_content()
    assert "Hello John," in body
    assert re.search(r"http://testserver/accounts/password/reset/\S+/\S+/", body)

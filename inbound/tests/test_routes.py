"""Only the configured provider's inbound route answers; without authentication it answers 403 unless DEBUG; the
system checks name a wrong or incomplete provider configuration."""

from __future__ import annotations

import pytest

from inbound.checks import check_provider, check_webhook_authenticated
from inbound.models import InboundEmail, State
from inbound.tests.helpers import AUTH, eml, post_postmark
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/anymail/mailgun/inbound/",
        "/anymail/mailgun/inbound_mime/",
        "/anymail/sendgrid/inbound/",
        "/anymail/amazon_ses/inbound/",
        "/anymail/mandrill/",
        "/anymail/postmark/tracking/",
        "/anymail/mailgun/tracking/",
        "/anymail/nosuch/inbound/",
    ],
)
def test_other_providers_and_tracking_addresses_are_404(client, department, path):
    response = client.post(path, {"body-mime": eml().decode()}, HTTP_AUTHORIZATION=AUTH)
    assert response.status_code == 404
    assert not InboundEmail.objects.exists()


def test_no_provider_configured_means_no_webhook(client, settings, department):
    settings.INBOUND_EMAIL_PROVIDER = ""
    assert post_postmark(client, eml()).status_code == 404
    assert not InboundEmail.objects.exists()


def test_the_configured_provider_answers_and_the_others_do_not(client, settings, department):
    settings.INBOUND_EMAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": "key-123"}
    assert post_postmark(client, eml()).status_code == 404
    unsigned = client.post("/anymail/mailgun/inbound/", {"body-mime": eml().decode()})
    assert unsigned.status_code == 400  # Mailgun's route answers, and checks Mailgun's signature
    assert not InboundEmail.objects.exists()


def test_a_provider_missing_its_key_is_403_not_500_and_the_check_says_why(client, settings, department):
    settings.INBOUND_EMAIL_PROVIDER = "mailgun"  # Mailgun needs MAILGUN_WEBHOOK_SIGNING_KEY
    response = client.post("/anymail/mailgun/inbound/", {"body-mime": eml().decode()})
    assert response.status_code == 403 and not InboundEmail.objects.exists()
    (error,) = check_provider(None)
    assert error.id == "inbound.E002" and "MAILGUN_WEBHOOK_SIGNING_KEY" in error.msg


@pytest.mark.parametrize("auth", [AUTH, None, "Basic eDp5"])
def test_without_a_webhook_secret_production_refuses_every_post_with_403(client, settings, department, auth):
    settings.DEBUG = False
    settings.ANYMAIL = {}
    response = post_postmark(client, eml(sender="anyone@example.net"), auth=auth)
    assert response.status_code == 403
    assert not InboundEmail.objects.exists() and not Ticket.objects.exists()


def test_without_a_webhook_secret_development_takes_the_post(client, settings, department, priority):
    settings.DEBUG = True
    settings.ANYMAIL = {}
    assert post_postmark(client, eml(sender="new@example.net"), auth=None).status_code == 200
    assert InboundEmail.objects.get().state == State.TICKET


def test_the_checks(settings):
    assert check_provider(None) == [] and check_webhook_authenticated(None) == []  # postmark with a secret
    settings.ANYMAIL = {}
    (error,) = check_webhook_authenticated(None)
    assert error.id == "inbound.E003" and "/anymail/postmark/inbound/" in error.msg
    assert "ANYMAIL_WEBHOOK_SECRET" in error.hint
    settings.INBOUND_EMAIL_PROVIDER = "postmarkk"
    (error,) = check_provider(None)
    assert error.id == "inbound.E001" and "postmark" in error.hint
    assert check_webhook_authenticated(None) == []  # reported once, by E001
    settings.INBOUND_EMAIL_PROVIDER = ""
    assert check_provider(None) == [] and check_webhook_authenticated(None) == []  # email-in off

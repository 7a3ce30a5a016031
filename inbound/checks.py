"""System checks of email-in and SMS-in: the email provider named exists and is configured; in production
(`check --deploy`), each configured inbound provider has its webhook secret (the email webhook is authenticated,
SMS-in has a strong callback secret or polls) and our email provider's authserv-id is set, so senders can be
verified."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .webhooks import PROVIDERS, authenticated, build_view, configured_provider


def _view_or_errors(provider: str):
    if provider not in PROVIDERS:
        return None, [
            Error(
                f"INBOUND_EMAIL_PROVIDER is {provider!r}, which is not an anymail provider of inbound mail.",
                hint=f"Use one of: {', '.join(sorted(PROVIDERS))}; or leave it empty to turn email-in off.",
                id="inbound.E001",
            )
        ]
    try:
        return build_view(provider), []
    except ImproperlyConfigured as exc:
        return None, [Error(f"The {provider} inbound webhook is not configured: {exc}", id="inbound.E002")]


@register(Tags.security)
def check_provider(app_configs, **kwargs) -> list[Error]:
    provider = configured_provider()
    return _view_or_errors(provider)[1] if provider else []


@register(Tags.security, deploy=True)
def check_webhook_authenticated(app_configs, **kwargs) -> list[Error]:
    provider = configured_provider()
    view = _view_or_errors(provider)[0] if provider else None
    if view is None or authenticated(view):
        return []
    return [
        Error(
            f"The inbound email webhook /anymail/{provider}/inbound/ has no authentication: anyone could post an "
            "email in any customer's name. Until it has, it answers 403 to every post.",
            hint="Set ANYMAIL_WEBHOOK_SECRET to a random user:password and give the provider the webhook URL "
            f"https://user:password@<your host>/anymail/{provider}/inbound/.",
            id="inbound.E003",
        )
    ]


@register(Tags.security, deploy=True)
def check_authserv_id(app_configs, **kwargs) -> list[CheckMessage]:
    if not configured_provider() or getattr(settings, "INBOUND_AUTHSERV_ID", None):
        return []
    return [
        Warning(
            "INBOUND_AUTHSERV_ID is empty: no Authentication-Results header is trusted, so no email sender is "
            "verified. Staff replies by email become internal notes, and customer replies that do not come "
            "through our signed reply address wait for an agent.",
            hint="Set INBOUND_AUTHSERV_ID to the authserv-id your receiving provider writes in the "
            "Authentication-Results header of the mail it passes on (e.g. amazonses.com, mx.google.com).",
            id="inbound.W001",
        )
    ]


# A callback secret an attacker cannot guess, and one the URL route takes (one path segment).
MIN_SECRET_LENGTH = 24
_SECRET = re.compile(r"[A-Za-z0-9_-]+")


def sms_in_configured() -> bool:
    """SMS-in is in use: new tickets by SMS have a department, the callback has a secret, or beat polls."""
    return bool(
        getattr(settings, "SMS_DEPARTMENT", "")
        or getattr(settings, "KAVENEGAR_INBOUND_SECRET", "")
        or getattr(settings, "INBOUND_SMS_POLL_SECONDS", 0) > 0
    )


@register(Tags.security, deploy=True)
def check_sms_callback_secret(app_configs, **kwargs) -> list[Error]:
    if not sms_in_configured():
        return []
    secret = getattr(settings, "KAVENEGAR_INBOUND_SECRET", "") or ""
    hint = (
        "Set KAVENEGAR_INBOUND_SECRET to a long random value (e.g. python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))') and give Kavenegar's panel the receive URL "
        "https://<your host>/inbound/sms/kavenegar/<secret>/."
    )
    if not secret:
        if getattr(settings, "INBOUND_SMS_POLL_SECONDS", 0) > 0:
            return []  # SMS-in by polling only: no callback to protect
        return [
            Error(
                "SMS-in is configured (SMS_DEPARTMENT) but Kavenegar's receive callback has no secret, so it "
                "answers 404 to every message, and nothing polls (INBOUND_SMS_POLL_SECONDS is 0).",
                hint=hint + " Or poll instead: INBOUND_SMS_POLL_SECONDS.",
                id="inbound.E004",
            )
        ]
    if len(secret) < MIN_SECRET_LENGTH or not _SECRET.fullmatch(secret):
        return [
            Error(
                f"KAVENEGAR_INBOUND_SECRET must be at least {MIN_SECRET_LENGTH} characters of letters, digits, "
                "- and _: a shorter one can be guessed, and anyone who guesses it files SMS in any customer's name.",
                hint=hint,
                id="inbound.E005",
            )
        ]
    return []

"""System checks of email-in: the provider named exists and is configured; in production, its webhook is
authenticated (`check --deploy`)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
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

"""The email-in webhook, `/anymail/<provider>/inbound/`: anymail's inbound view of the one provider that
INBOUND_EMAIL_PROVIDER names, behind three guards.

- Every other provider's address (and anymail's tracking addresses, which nothing here uses) is a 404.
- Without authentication (anymail's basic auth, ANYMAIL_WEBHOOK_SECRET, or the provider's own signature) the
  webhook answers 403 unless DEBUG is on: production never takes an anonymous post, which could file a ticket in
  any customer's name. `manage.py check --deploy` reports it too (`inbound.checks`).
- A body that cannot be read (not JSON, a JSON list, fields of the wrong type, a message that does not parse)
  is a 400 with a log line, and nothing is stored: a 500 would make the provider retry it for ever.
"""

from __future__ import annotations

import logging
import warnings

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailInsecureWebhookWarning, AnymailWebhookValidationFailure
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt

from .services.mail import email_fields

logger = logging.getLogger(__name__)


class MalformedWebhook(Exception):
    """The provider's post cannot be read."""


class _Guarded:
    """Mixed in before an anymail inbound view: whatever fails while reading the post (apart from a failed
    authentication, anymail's 400) is a `MalformedWebhook`; every message of the post is read before any is
    stored, so a post is stored whole or not at all."""

    def run_validators(self, request):
        try:
            super().run_validators(request)
        except AnymailWebhookValidationFailure:
            raise
        except Exception as exc:
            raise MalformedWebhook(f"{type(exc).__name__}: {exc}") from exc

    def parse_events(self, request):
        try:
            events = super().parse_events(request)
            for event in events:
                email_fields(event.message)
        except Exception as exc:
            raise MalformedWebhook(f"{type(exc).__name__}: {exc}") from exc
        return events


# provider (as in its URL) → its guarded anymail inbound view class
PROVIDERS: dict[str, type] = {
    pattern.name.removesuffix("_inbound_webhook"): type(
        f"Guarded{pattern.callback.view_class.__name__}", (_Guarded, pattern.callback.view_class), {}
    )
    for pattern in anymail_urls.urlpatterns
    if (pattern.name or "").endswith("_inbound_webhook")
}


def configured_provider() -> str:
    return getattr(settings, "INBOUND_EMAIL_PROVIDER", "") or ""


def build_view(provider: str):
    """An instance of the provider's guarded view, reading its settings now. Raises `ImproperlyConfigured` when
    the provider needs a key that is not set (e.g. Mailgun's webhook signing key)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)  # reported by us: a 403 and a deploy check
        return PROVIDERS[provider]()


def authenticated(view) -> bool:
    """Does the view check who posts (basic auth, or the provider's signature)?"""
    return bool(view.basic_auth) or not view.warn_if_no_basic_auth


@csrf_exempt
@login_not_required
def inbound_webhook(request, esp: str) -> HttpResponse:
    provider = configured_provider()
    if esp != provider or provider not in PROVIDERS:
        raise Http404
    try:
        view = build_view(provider)
    except ImproperlyConfigured as exc:
        logger.error("The %s inbound webhook is not configured, post refused: %s", provider, exc)
        return HttpResponseForbidden("inbound webhook not configured", content_type="text/plain")
    if not (authenticated(view) or settings.DEBUG):
        logger.error("Unauthenticated post to the %s inbound webhook refused: set ANYMAIL_WEBHOOK_SECRET", provider)
        return HttpResponseForbidden("inbound webhook without authentication", content_type="text/plain")
    view.setup(request, esp=esp)
    try:
        return view.dispatch(request, esp=esp)
    except MalformedWebhook as exc:
        logger.warning("Malformed %s inbound webhook body refused (400), nothing stored: %s", provider, exc)
        return HttpResponseBadRequest("malformed webhook body", content_type="text/plain")

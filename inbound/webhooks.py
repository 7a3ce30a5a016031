"""The email-in webhook, `/anymail/<provider>/inbound/`: anymail's inbound view of the provider, guarded.

- A body that cannot be read (not JSON, a JSON list, fields of the wrong type, a message that does not parse)
  is a 400 with a log line, and nothing is stored: a 500 would make the provider retry it for ever.
"""

from __future__ import annotations

import logging

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailWebhookValidationFailure
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
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


@csrf_exempt
@login_not_required
def inbound_webhook(request, esp: str) -> HttpResponse:
    if esp not in PROVIDERS:
        raise Http404
    view = PROVIDERS[esp]()
    view.setup(request, esp=esp)
    try:
        return view.dispatch(request, esp=esp)
    except MalformedWebhook as exc:
        logger.warning("Malformed %s inbound webhook body refused (400), nothing stored: %s", esp, exc)
        return HttpResponseBadRequest("malformed webhook body", content_type="text/plain")

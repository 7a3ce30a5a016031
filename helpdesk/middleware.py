"""Site-wide request handling that needs no user: the IP block list (F33) and the Persian-first language.

Maintenance mode (F30) lets admins through, so it needs roles: `accounts.middleware.MaintenanceMiddleware`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from .net import client_ip, is_blocked, parse_ip

MSG_BLOCKED = _("Access from your network address has been blocked. Please contact support.")


class IPBlockMiddleware:
    """First in MIDDLEWARE: a blocked address gets 403 before sessions, users or views are touched.

    The answer is plain text so that it needs neither the database nor a template.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_blocked(parse_ip(client_ip(request))):
            response = HttpResponse(str(MSG_BLOCKED), status=403, content_type="text/plain; charset=utf-8")
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


class PersianFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language: the site is Persian unless the person
    chose otherwise (the language cookie set by the switch or at login, or their profile language)."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

"""Site-wide request guards: the IP block list (F33) and maintenance mode (F30)."""

from __future__ import annotations

import logging
from contextlib import suppress

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

from .net import client_ip, is_blocked, parse_ip
from .site import get_site_settings

logger = logging.getLogger(__name__)

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


class MaintenanceMiddleware:
    """While maintenance mode is on, everyone but admins gets the maintenance page (503 + Retry-After).

    What an admin needs to get in stays reachable: the login pages, static files, the language switch and the
    health check. Runs after AuthenticationMiddleware; the user is only looked at when the mode is on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            site = get_site_settings()
        except DatabaseError:  # let the view fail or, for /healthz, report it
            logger.exception("maintenance: could not read the site settings")
            return self.get_response(request)
        if not site.maintenance_mode or _may_pass(request):
            return self.get_response(request)
        response = render(request, "maintenance.html", {"message": site.maintenance_message}, status=503)
        response["Retry-After"] = str(settings.MAINTENANCE_RETRY_AFTER)
        add_never_cache_headers(response)
        return response


def _may_pass(request) -> bool:
    path = request.path  # with the script prefix, like reverse() and STATIC_URL
    # `/media/branding/../attachments/x` starts with an exempt prefix but a file server resolves the dots:
    # a path with dot segments is never exempt.
    dotted = any(segment in {".", ".."} for segment in path.split("/"))
    if not dotted and (path in _exempt_paths() or path.startswith(_exempt_prefixes())):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def _exempt_paths() -> set[str]:
    paths = {reverse("healthz"), reverse("admin:login"), reverse("set_language")}
    for name in (settings.LOGIN_URL, "accounts:logout", "admin:logout"):
        with suppress(NoReverseMatch):  # the accounts app may not define it (yet)
            paths.add(resolve_url(name))
    return paths


def _exempt_prefixes() -> tuple[str, ...]:
    # The branding folder so the maintenance page can show the logo; the rest of media stays closed.
    return (settings.STATIC_URL, f"{settings.MEDIA_URL}branding/")


class PersianFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without the browser's Accept-Language: the site is Persian unless the person
    chose otherwise (the language cookie set by the switch or at login, or their profile language)."""

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

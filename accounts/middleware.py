"""Per-request account checks. They work on `request.user` as AuthenticationMiddleware loads it: no extra query.

Maintenance mode (F30) lives here rather than in `helpdesk/` because it lets admins through, which needs roles.
"""

import logging
from contextlib import suppress

from django.conf import settings
from django.contrib.auth import logout
from django.db import DatabaseError
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django_otp import DEVICE_ID_SESSION_KEY

from helpdesk.branding import branding_prefix
from helpdesk.site import get_site_settings

from .models import Role
from .status import SESSION_BLOCK_KEY, account_block
from .twofactor import session_outdated, two_factor_required

# Where TwoFactorMiddleware leaves its notice for the login page (accounts.views reads it): why the session ended.
SESSION_TWO_FACTOR_NOTICE = "accounts:2fa-notice"
NOTICE_REQUIRED = "required"  # the role requires a second factor the session never passed
NOTICE_CHANGED = "changed"  # the devices it passed with were removed since

logger = logging.getLogger(__name__)


class AccountStatusMiddleware:
    """End the session of a user who has been suspended or whose account has expired since they logged in
    (F28/F29), and send them to the login page, which says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            block = account_block(user)
            if block is not None:
                logout(request)  # flushes the session; the reason goes into the new, anonymous one
                request.session[SESSION_BLOCK_KEY] = block.to_session()
                response = redirect(settings.LOGIN_URL)
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = response["Location"]  # htmx swaps would hide a plain redirect
                return response
        return self.get_response(request)


class TwoFactorMiddleware:
    """End a logged-in session that did not pass the second step when the user's role requires one (a session
    from before the requirement, or from any login path that skipped the code step), and a session that passed it
    before the user's devices were removed (turned off elsewhere, or an admin's recovery: `two_factor_generation`).
    The login page then says why and asks for the password again (and the code, or enrolment). Costs no query: the
    requirement is cached, the session and the user are already loaded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if session_outdated(request, user):
            notice = NOTICE_CHANGED
        elif DEVICE_ID_SESSION_KEY not in request.session and two_factor_required(user):
            notice = NOTICE_REQUIRED
        else:
            return self.get_response(request)
        logger.warning("accounts.two_factor.session_ended", extra={"user": user.pk, "reason": notice})
        logout(request)
        request.session[SESSION_TWO_FACTOR_NOTICE] = notice
        response = redirect(settings.LOGIN_URL)
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = response["Location"]
        return response


class UserLanguageMiddleware:
    """A logged-in user without a language cookie (new browser, cleared cookies) gets their own language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user is not None and user.is_authenticated:
            language = user.language
            if language and language != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(language)
                request.LANGUAGE_CODE = language
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
    # `/branding/../media/x` starts with an exempt prefix but a file server resolves the dots:
    # a path with dot segments is never exempt.
    dotted = any(segment in {".", ".."} for segment in path.split("/"))
    if not dotted and (path in _exempt_paths() or path.startswith(_exempt_prefixes())):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def _exempt_paths() -> set[str]:
    paths = {reverse("healthz"), reverse("admin:login"), reverse("set_language")}
    # The second step of a sign-in (and enrolment right after the password) belong to logging in.
    for name in (
        settings.LOGIN_URL,
        "accounts:login_code",
        "accounts:two_factor_setup",
        "accounts:logout",
        "admin:logout",
    ):
        with suppress(NoReverseMatch):  # a URLconf without them (a test's own) still works
            paths.add(resolve_url(name))
    return paths


def _exempt_prefixes() -> tuple[str, ...]:
    # The public branding so the maintenance page can show the logo.
    prefixes = [settings.STATIC_URL]
    with suppress(NoReverseMatch):  # a URLconf without it (a test's own) still works
        prefixes.append(branding_prefix())
    return tuple(prefixes)

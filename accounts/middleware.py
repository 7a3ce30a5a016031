"""Per-request account checks. Both work on `request.user` as AuthenticationMiddleware loads it: no extra query."""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation

from .status import SESSION_BLOCK_KEY, account_block


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

"""Login lockouts: django-axes locks an account+address pair (AXES_FAILURE_LIMIT failures, AXES_COOLOFF_HOURS);
this handler adds a lock of the account itself, whichever addresses the failures came from
(ACCOUNT_LOCKOUT_FAILURE_LIMIT failures within ACCOUNT_LOCKOUT_COOLOFF_HOURS, counted since the account's last
successful login).

Both count under `accounts.backends.axes_username`, which is the normalised identifier for an unknown account, so
an identifier that belongs to nobody is locked exactly like one that does: the response never tells whether the
account exists.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger(__name__)

# Set on the request when the account-wide limit (not the per-address one) refused it, for the lockout page.
ACCOUNT_LOCKED_ATTR = "accounts_account_locked"


def account_cool_off() -> timedelta:
    return timedelta(hours=settings.ACCOUNT_LOCKOUT_COOLOFF_HOURS)


def account_failures(username: str | None) -> int:
    """Failed logins of this account (any address) within the cool-off, since its last successful login."""
    if not username:
        return 0
    since = timezone.now() - account_cool_off()
    last_success = (
        AccessLog.objects.filter(username=username, attempt_time__gte=since)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return AccessFailureLog.objects.filter(username=username, attempt_time__gt=last_success or since).count()


def account_locked(request: HttpRequest, credentials: dict | None = None) -> bool:
    return account_failures(get_client_username(request, credentials)) >= settings.ACCOUNT_LOCKOUT_FAILURE_LIMIT


class AccountLockoutHandler(AxesDatabaseHandler):
    """axes' database handler plus the account-wide limit (settings.AXES_HANDLER)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if account_locked(request, credentials):
            setattr(request, ACCOUNT_LOCKED_ATTR, True)
            return True
        return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # The failure that reaches the account-wide limit is answered with the lockout page, like the per-address one.
        if request is None or getattr(request, "axes_locked_out", False) or not account_locked(request, credentials):
            return
        username = get_client_username(request, credentials)
        logger.warning("accounts.lockout.account: login locked for every address after repeated failures")
        setattr(request, ACCOUNT_LOCKED_ATTR, True)
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The lockout page (settings.AXES_LOCKOUT_CALLABLE): how long to wait depends on which limit was reached;
    nothing on it depends on whether the account exists."""
    account_wide = getattr(request, ACCOUNT_LOCKED_ATTR, False)
    context = {
        "account_wide": account_wide,
        "failure_limit": settings.ACCOUNT_LOCKOUT_FAILURE_LIMIT if account_wide else settings.AXES_FAILURE_LIMIT,
        "cooloff_timedelta": account_cool_off() if account_wide else get_cool_off(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)

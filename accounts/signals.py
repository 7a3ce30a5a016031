"""Sign-ins, sign-outs, failed sign-ins and django-axes lockouts go into the audit trail (`helpdesk.audit`).

Django's auth signals fire for every way in (the site's login page and the admin's, `force_login` in tests);
axes' `user_locked_out` fires when a lockout starts and for each attempt made while it lasts. The address is the
request's (`helpdesk.net.client_ip`, as axes counts it). A failed attempt keeps the identifier that was typed and
names the account when one matches it (the admins may know; the person trying is never told).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from helpdesk import audit

from .backends import find_user

if TYPE_CHECKING:
    from .models import User


def on_logged_in(sender, request, user: User, **kwargs) -> None:
    audit.record(audit.Action.LOGIN, target=user, actor=user, ip=audit.request_ip(request))


def on_logged_out(sender, request, user: User | None, **kwargs) -> None:
    if user is not None:  # a visitor who was not signed in posted to the logout page
        audit.record(audit.Action.LOGOUT, target=user, actor=user, ip=audit.request_ip(request))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:200]
    audit.record(
        audit.Action.LOGIN_FAILED,
        target=find_user(username) if username else None,
        actor=None,
        ip=audit.request_ip(request),
        after={"username": username},
    )


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = str(username or "")[:200]
    audit.record(
        audit.Action.LOCKOUT,
        target=find_user(username) if username else None,
        actor=None,
        ip=ip_address or audit.request_ip(request),
        after={"username": username},
    )


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.audit.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.audit.locked_out")

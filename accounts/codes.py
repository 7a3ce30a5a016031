"""What the requests for one-time codes and links (sign-up by SMS or email, password reset by SMS) share: the lock,
the hourly limits per number (or email) and per client address, the code and its keyed hash."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac

from helpdesk.models import SiteSettings

CODE_LENGTH = 6
WINDOW = timedelta(hours=1)  # the hourly limits count the requests of the last hour


def new_code() -> str:
    """A random code of `CODE_LENGTH` Latin digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def code_hash(purpose: str, identifier: str, secret: str) -> str:
    """The keyed hash (HMAC with the secret key, salted by `purpose`) stored for a code or a link's secret sent to
    `identifier` (a mobile number or an email address): the secret itself is never stored."""
    return salted_hmac(purpose, f"{identifier}:{secret}", algorithm="sha256").hexdigest()


def lock_code_requests() -> None:
    """Serialise the requests for codes until the current transaction ends, so that two requests at the same
    moment cannot both pass the hourly counts taken next (PostgreSQL; SQLite writes one at a time anyway). The
    site settings' one row is the stable row every request can lock; an admin saving the settings waits for the
    few milliseconds of a request, nothing else does. On a new database the row may not be there yet: creating it
    makes a concurrent creator wait on the primary key until this transaction ends, which serialises them too."""
    locked = SiteSettings.objects.select_for_update().filter(pk=1)  # the singleton (helpdesk.site)
    if not list(locked.values_list("pk", flat=True)):
        SiteSettings.objects.get_or_create(pk=1)
        list(locked.values_list("pk", flat=True))


def check_request_limits(
    requests: QuerySet,
    *,
    now: datetime,
    kept_for: timedelta,
    mine: QuerySet,
    limit: int,
    refusal: ValidationError,
    client_ip: str,
    per_address: int,
    address_refusal: ValidationError,
) -> None:
    """Refuse a new request past the hourly limits: `mine` (the earlier requests of this number or email) past
    `limit`, and the client address's among `requests` (all requests of the kind) past `per_address`. Call inside
    the transaction that stores the new request: the counts are taken under `lock_code_requests`, so a concurrent
    request waits and cannot pass a limit too. Requests older than `kept_for` are deleted first."""
    lock_code_requests()
    requests.filter(created_at__lt=now - kept_for).delete()
    since = now - WINDOW
    if mine.filter(created_at__gte=since).count() >= limit:
        raise refusal
    if client_ip and requests.filter(created_at__gte=since, client_ip=client_ip).count() >= per_address:
        raise address_refusal

"""What the requests for one-time SMS codes (sign-up, password reset) share."""

from __future__ import annotations

from helpdesk.models import SiteSettings


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

"""What the requests for one-time SMS codes (sign-up, password reset) share."""

from __future__ import annotations

from helpdesk.models import SiteSettings
from helpdesk.site import get_site_settings


def lock_code_requests() -> None:
    """Serialise the requests for codes until the current transaction ends, so that two requests at the same
    moment cannot both pass the hourly counts taken next (PostgreSQL; SQLite writes one at a time anyway). The
    site settings' one row is the stable row every request can lock; an admin saving the settings waits for the
    few milliseconds of a request, nothing else does."""
    list(SiteSettings.objects.select_for_update().filter(pk=get_site_settings().pk).values_list("pk", flat=True))

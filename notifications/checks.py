"""System checks of delivery: a worker's lease on a notification outlasts any one delivery, so the sweep never takes
a row back from a worker that is still sending it (which could send it twice)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

MARGIN = 5.0  # seconds between the slowest delivery and the end of its lease


def _seconds(value) -> float:
    """A timeout as `requests` takes it: seconds, or (connect, read)."""
    return float(sum(value)) if isinstance(value, tuple | list) else float(value or 0.0)


def longest_delivery() -> float:
    """Seconds one delivery can take at most: two Kavenegar calls (the `localid` lookup, then the send), or one
    email within the SMTP or anymail timeout."""
    sms = 2 * _seconds(getattr(settings, "KAVENEGAR_TIMEOUT", 10.0))
    anymail = getattr(settings, "ANYMAIL", {}) or {}
    esp = _seconds(anymail.get("REQUESTS_TIMEOUT", getattr(settings, "ANYMAIL_REQUESTS_TIMEOUT", 30.0)))
    smtp = _seconds(getattr(settings, "EMAIL_TIMEOUT", None))
    return max(sms, esp, smtp)


@register(Tags.compatibility)
def check_lease(app_configs, **kwargs) -> list[Warning]:
    lease = float(getattr(settings, "NOTIFICATIONS_LEASE_SECONDS", 45.0))
    needed = longest_delivery() + MARGIN
    if lease >= needed:
        return []
    return [
        Warning(
            f"NOTIFICATIONS_LEASE_SECONDS is {lease:g}, shorter than the longest delivery allowed by the timeouts "
            f"({needed - MARGIN:g} s) plus {MARGIN:g} s: a slow delivery could be taken back and sent twice.",
            hint="Raise NOTIFICATIONS_LEASE_SECONDS or lower KAVENEGAR_TIMEOUT / EMAIL_TIMEOUT / anymail's "
            "REQUESTS_TIMEOUT.",
            id="notifications.W001",
        )
    ]

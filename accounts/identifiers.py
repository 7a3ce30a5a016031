"""The two login identifiers, email and mobile, in their one stored spelling.

Emails are stored stripped and lower-case (login is case-insensitive and a second account that differs only in
case must not exist); mobiles as `09xxxxxxxxx` whatever the user typed (`+98…`, `0098…`, Persian digits …).
Blank input means "none" and is stored as NULL, so that the unique constraints ignore it.
"""

from django.core.exceptions import ValidationError

from helpdesk.persian import to_latin_digits
from helpdesk.validators import normalize_mobile


def clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value.lower() or None


def clean_mobile(value: str | None) -> str | None:
    """Normalise a mobile number; raise ValidationError (translated) when it is not one."""
    value = (value or "").strip()
    return normalize_mobile(value) if value else None


def parse_login(identifier: str | None) -> tuple[str, str] | None:
    """What a person typed in the login box → ("email", value) or ("mobile", value), or None if it is neither."""
    identifier = to_latin_digits((identifier or "").strip())
    if not identifier:
        return None
    if "@" in identifier:
        return "email", identifier.lower()
    try:
        return "mobile", normalize_mobile(identifier)
    except ValidationError:
        return None

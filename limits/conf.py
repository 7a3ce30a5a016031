"""Reading the Article 6 policy settings (ARTICLE6_FLOOR_TESTS_PAID_SALES, ARTICLE6_EXEMPTION_YEAR)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .calculations import EXEMPTION_YEAR_CHOICES, Policies

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def parse_bool_setting(name: str, value) -> bool:
    """A strict boolean: True/False, or one of the usual words; anything else is a configuration error."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def parse_exemption_year_setting(name: str, value) -> str:
    word = str(value).strip().lower()
    if word not in EXEMPTION_YEAR_CHOICES:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(EXEMPTION_YEAR_CHOICES)}, not {value!r}.")
    return word


def policies() -> Policies:
    """The policies in force, read from settings on every call (tests override them with `settings`)."""
    return Policies(
        floor_tests_paid_sales=parse_bool_setting(
            "ARTICLE6_FLOOR_TESTS_PAID_SALES", getattr(settings, "ARTICLE6_FLOOR_TESTS_PAID_SALES", True)
        ),
        exemption_year=parse_exemption_year_setting(
            "ARTICLE6_EXEMPTION_YEAR", getattr(settings, "ARTICLE6_EXEMPTION_YEAR", "period")
        ),
    )

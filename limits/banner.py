"""The banner that says a year's Article 6 figures are missing: on the staff Article 6 pages and the admin index.

The current and the next period's years need E and r before their ceilings, increase requests and calculations work;
the app never guesses a legal figure, so staff are told which year to enter, with a link to «پارامترهای سال» for
those who may open it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from helpdesk import admin_notices
from helpdesk.l10n import format_number, join_list

from . import permissions, selectors
from .models import YearParameters

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

MSG_YEARS_MISSING = _(
    "The Article 6 figures (annual exemption or VAT rate) for %(years)s are not entered yet: until they are, no "
    "ceiling is computed, and increase requests and the calculator refuse that year."
)
MSG_ASK_ADMIN = _("Ask an administrator to enter them.")


def missing_years_notice(user: User | AnonymousUser) -> admin_notices.AdminNotice | None:
    """The banner for `user`, or None for customers and when the current and the next period's years are complete."""
    if not permissions.is_staff(user):
        return None
    years = selectors.years_missing_parameters()
    if not years:
        return None
    message = str(MSG_YEARS_MISSING) % {"years": join_list(format_number(y, grouping=False) for y in years)}
    if permissions.can_open_year_parameters(user):
        return admin_notices.AdminNotice(
            message,
            link_url=reverse("admin:limits_yearparameters_changelist"),
            link_text=str(capfirst(YearParameters._meta.verbose_name_plural)),
        )
    return admin_notices.AdminNotice(f"{message} {MSG_ASK_ADMIN}")


def admin_index_notices(request) -> list[admin_notices.AdminNotice]:
    notice = missing_years_notice(request.user)
    return [notice] if notice else []


def register() -> None:
    """Called from `LimitsConfig.ready()`: the banner on the admin index too."""
    admin_notices.register(admin_index_notices)

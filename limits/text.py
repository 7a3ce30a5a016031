"""Amounts and periods inside sentences (ticket bodies, timeline events), in the active language's digits."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext

from helpdesk.l10n import format_number

from .periods import Period


def rials(value) -> str:
    """«۱۲٬۳۴۵٬۶۷۸» in Persian, «12,345,678» in English."""
    return format_number(int(value or 0))


def period_text(period: Period) -> str:
    """«تابستان ۱۴۰۴» / «summer 1404»."""
    return gettext("%(season)s %(year)s") % {
        "season": period.season_name,
        "year": format_number(period.year, grouping=False),
    }


def percent(value: Decimal) -> str:
    """Decimal("10.00") → «۱۰», Decimal("9.50") → «۹٫۵» (Persian) or "9.5"."""
    return format_number(Decimal(value).normalize(), grouping=False)

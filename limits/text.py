"""Amounts, periods and dates inside sentences (ticket bodies, timeline events), in the active language's digits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import get_language, gettext

from helpdesk.jalali import format_date, uses_persian_digits
from helpdesk.persian import format_int, to_persian_digits

from .periods import Period


def persian() -> bool:
    return uses_persian_digits(get_language())


def rials(value) -> str:
    """«۱۲٬۳۴۵٬۶۷۸» in Persian, «12,345,678» in English."""
    return format_int(int(value or 0), persian=persian())


def period_text(period: Period) -> str:
    """«تابستان ۱۴۰۴» / «summer 1404»."""
    return gettext("%(season)s %(year)s") % {
        "season": period.season_name,
        "year": format_int(period.year, persian=persian(), grouping=False),
    }


def percent(value: Decimal) -> str:
    """Decimal("10.00") → «۱۰», Decimal("9.50") → «۹٫۵» (Persian) or "9.5"."""
    text = f"{Decimal(value).normalize():f}"
    return to_persian_digits(text.replace(".", "٫")) if persian() else text


def day(value: dt.date) -> str:
    """A calendar day: Jalali with Persian digits in Persian, ISO in English."""
    return format_date(value, persian_digits=True) if persian() else value.isoformat()

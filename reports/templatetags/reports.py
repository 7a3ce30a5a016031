"""`{% load reports %}`: a report value for people, in the active language's digits (`helpdesk.l10n`)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html

from helpdesk import l10n

from ..pages import AVERAGE, DATE, DATETIME, DAYS, HOURS, INT, MONEY, PERCENT, Link

register = template.Library()


@register.filter
def report_cell(value, kind: str = "") -> str:
    """Numbers with separators, hours and days with one decimal, shares as percent, Jalali dates; "—" for none."""
    if value is None or value == "":
        return "—" if kind not in ("", "text") else ""
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, l10n.digits(value.text))
    if kind == PERCENT:
        share = round(value * 100, 1)
        text = l10n.format_number(int(share) if share == int(share) else share)
        return text + ("٪" if l10n.use_persian_digits() else "%")
    if kind in (HOURS, DAYS, AVERAGE):
        return l10n.format_number(round(float(value), 1))
    if kind in (INT, MONEY):
        return l10n.format_number(value)
    if kind == DATETIME and isinstance(value, dt.datetime):
        return l10n.format_jalali_datetime(value)
    if kind == DATE and isinstance(value, dt.date):
        return l10n.format_jalali_date(value)
    return str(value)

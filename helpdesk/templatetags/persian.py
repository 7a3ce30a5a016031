"""Template filters for Persian pages: `{% load persian %}`.

    {{ ticket.created_at|jdate }}         ۱۴۰۳/۱۲/۳۰          (English: 2025-03-20)
    {{ ticket.created_at|jdate:"long" }}  ۳۰ اسفند ۱۴۰۳       (English: 20 March 2025)
    {{ ticket.created_at|jdatetime }}     ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵    (English: 2025-03-20 14:05), Tehran time
    {{ ticket.pk|pdigits }}               ۱۲۳ (any value; English: Latin digits)
    {{ amount|pnumber }}                  ۱۲٬۳۴۵٬۶۷۸          (English: 12,345,678)
    {{ file.size|pfilesize }}             ۳٫۰ مگابایت          (English: 3.0 MB)
    {{ share|ppercent }}                  ۱۰٪                 (English: 10%)
    {{ ticket.updated_at|jtimesince }}    ۳ ساعت پیش          (English: 3 hours ago)

The language is the active one (Persian unless the user chose English). Datetimes are shown in
Asia/Tehran; a naive datetime is taken to be UTC. None and "" render as "". A value the filter cannot read
renders as "" rather than breaking the page, like Django's `date`. The filters only read template values;
the formatting is `helpdesk.l10n`'s, which Python code uses directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime as jdt
from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.safestring import SafeData, mark_safe

from helpdesk import l10n
from helpdesk.persian import parse_int

register = template.Library()


def _as_date_or_datetime(value: object) -> dt.date | None:
    if isinstance(value, jdt.datetime):
        return value.togregorian()
    if isinstance(value, jdt.date):
        return value.togregorian()
    if isinstance(value, dt.date):  # includes datetime
        return value
    return None


def _number(value: object) -> int | Decimal | float | None:
    """A value the number formatting can take (bools are not numbers here), or None."""
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        return value
    return None


@register.filter(name="jdate")
def jdate_filter(value: object, style: str = "") -> str:
    """A day: Jalali with Persian digits in Persian, ISO Gregorian in English. `style="long"` names the month."""
    moment = _as_date_or_datetime(value)
    return "" if moment is None else l10n.format_date(moment, long=style == "long")


@register.filter(name="jdatetime")
def jdatetime_filter(value: object) -> str:
    """A moment in Tehran to the minute; a plain date falls back to `jdate`."""
    moment = _as_date_or_datetime(value)
    if moment is None:
        return ""
    return l10n.format_datetime(moment) if isinstance(moment, dt.datetime) else l10n.format_date(moment)


@register.filter(is_safe=True)
def pdigits(value: object) -> str:
    """Any value with the active language's digits; numbers also get «٫» as the decimal point in Persian."""
    if value is None or value == "":
        return ""
    number = _number(value)
    if number is not None:
        return l10n.format_number(number, grouping=False)
    if isinstance(value, SafeData):
        # Convert only the text between tags and entities, so markup stays valid.
        return mark_safe(l10n.digits_in_html(str(value)))
    return l10n.digits(value)


@register.filter
def pnumber(value: object) -> str:
    """A number with thousands separators: «۱۲٬۳۴۵٬۶۷۸» in Persian, «12,345,678» in English.

    Accepts ints, Decimals, floats and strings typed with any digits; other text is shown as `pdigits` would.
    """
    if value is None or value == "":
        return ""
    number = _number(value)
    if number is None and isinstance(value, str):
        try:
            number = parse_int(value)
        except ValueError:
            number = None
    return pdigits(value) if number is None else l10n.format_number(number)


@register.filter
def pfilesize(value: object) -> str:
    """A size in bytes: `helpdesk.l10n.format_file_size`."""
    number = _number(value)
    return "" if number is None else l10n.format_file_size(int(number))


@register.filter
def ppercent(value: object) -> str:
    """A percentage (the number of percent, e.g. 10 or "9.5"): `helpdesk.l10n.format_percent`."""
    number = _number(value)
    if number is None and isinstance(value, str) and value.strip():
        try:
            number = Decimal(l10n.to_latin_digits(value).strip())
        except ArithmeticError:
            number = None
    return pdigits(value) if number is None else l10n.format_percent(number)


@register.filter
def jtimesince(value: object) -> str:
    """«۳ ساعت پیش» / «3 hours ago» (Django's `naturaltime`, in the active language's digits)."""
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return l10n.digits(naturaltime(value))

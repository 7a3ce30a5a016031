"""Template filters for Persian pages: `{% load persian %}`.

    {{ ticket.created_at|jdate }}         ۱۴۰۳/۱۲/۳۰          (English: 2025-03-20)
    {{ ticket.created_at|jdate:"long" }}  ۳۰ اسفند ۱۴۰۳       (English: 20 March 2025)
    {{ ticket.created_at|jdatetime }}     ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵    (English: 2025-03-20 14:05), Tehran time
    {{ ticket.pk|pdigits }}               ۱۲۳ (any value; English: Latin digits)
    {{ amount|pnumber }}                  ۱۲٬۳۴۵٬۶۷۸          (English: 12,345,678)
    {{ ticket.updated_at|jtimesince }}    ۳ ساعت پیش          (English: 3 hours ago)

The language is the active one (Persian unless the user chose English). Datetimes are shown in
Asia/Tehran; a naive datetime is taken to be UTC (see `helpdesk.jalali`). None and "" render as "".
A value the filter cannot read renders as "" rather than breaking the page, like Django's `date`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import jdatetime as jdt
from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import dateformat, timezone
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

from helpdesk import jalali
from helpdesk.persian import (
    PERSIAN_DECIMAL_SEPARATOR,
    PERSIAN_THOUSANDS_SEPARATOR,
    parse_int,
    to_latin_digits,
    to_persian_digits,
)

register = template.Library()

# In HTML that is already safe, digits inside tags and character references (&#39;) are markup, not text.
_MARKUP_OR_DIGITS = re.compile(r"(<[^>]*>|&#?\w+;)|([0-9\u0660-\u0669\u06f0-\u06f9]+)")


def _persian() -> bool:
    return jalali.uses_persian_digits(get_language())


def _as_date_or_datetime(value: object) -> dt.date | None:
    if isinstance(value, jdt.datetime):
        return value.togregorian()
    if isinstance(value, jdt.date):
        return value.togregorian()
    if isinstance(value, dt.date):  # includes datetime
        return value
    return None


@register.filter(name="jdate")
def jdate_filter(value: object, style: str = "") -> str:
    """A day: Jalali with Persian digits in Persian, ISO Gregorian in English. `style="long"` names the month."""
    moment = _as_date_or_datetime(value)
    if moment is None:
        return ""
    persian = _persian()
    if style == "long":
        if persian:
            return jalali.format_long_date(moment)
        day = jalali.to_tehran(moment).date() if isinstance(moment, dt.datetime) else moment
        return dateformat.format(day, "j F Y")
    if persian:
        return jalali.format_date(moment)
    day = jalali.to_tehran(moment).date() if isinstance(moment, dt.datetime) else moment
    return day.isoformat()


@register.filter(name="jdatetime")
def jdatetime_filter(value: object) -> str:
    """A moment in Tehran to the minute; a plain date falls back to `jdate`."""
    moment = _as_date_or_datetime(value)
    if moment is None:
        return ""
    if not isinstance(moment, dt.datetime):
        return jdate_filter(moment)
    if _persian():
        return jalali.format_datetime(moment)
    return jalali.to_tehran(moment).strftime("%Y-%m-%d %H:%M")


def localize_digits(text: str, *, persian: bool | None = None) -> str:
    """Digits of the active language (Persian in Persian, Latin in English)."""
    if persian is None:
        persian = _persian()
    return to_persian_digits(text) if persian else to_latin_digits(text)


@register.filter(is_safe=True)
def pdigits(value: object) -> str:
    """Any value with the active language's digits; numbers also get «٫» as the decimal point in Persian."""
    if value is None or value == "":
        return ""
    persian = _persian()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text = str(value)
        return to_persian_digits(text.replace(".", PERSIAN_DECIMAL_SEPARATOR)) if persian else text
    if isinstance(value, SafeData):
        # Convert only the text between tags and entities, so markup stays valid.
        return mark_safe(
            _MARKUP_OR_DIGITS.sub(
                lambda m: m.group(1) or localize_digits(m.group(2), persian=persian),
                str(value),
            )
        )
    return localize_digits(str(value), persian=persian)


def _grouped(value: object) -> str | None:
    """Latin digits with «,» thousands and «.» decimals, or None when the value is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value:,}" if value.is_finite() else None
    if isinstance(value, float):
        return f"{value:,}" if value == value and abs(value) != float("inf") else None
    if isinstance(value, str):
        try:
            return f"{parse_int(value):,}"
        except ValueError:
            return None
    return None


@register.filter
def pnumber(value: object) -> str:
    """A number with thousands separators: «۱۲٬۳۴۵٬۶۷۸» in Persian, «12,345,678» in English.

    Accepts ints, Decimals, floats and strings typed with any digits; other text is shown as `pdigits` would.
    """
    if value is None or value == "":
        return ""
    grouped = _grouped(value)
    if grouped is None:
        return pdigits(value)
    if not _persian():
        return grouped
    text = grouped.replace(",", "\0").replace(".", PERSIAN_DECIMAL_SEPARATOR).replace("\0", PERSIAN_THOUSANDS_SEPARATOR)
    return to_persian_digits(text)


@register.filter
def jtimesince(value: object) -> str:
    """«۳ ساعت پیش» / «3 hours ago» (Django's `naturaltime`, in the active language's digits)."""
    if not isinstance(value, dt.datetime):
        return ""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return localize_digits(str(naturaltime(value)))

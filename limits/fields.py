"""Form fields for rial amounts and Jalali years typed with Persian, Arabic or Latin digits and separators."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import format_number
from helpdesk.persian import parse_int

from .periods import MAX_YEAR, MIN_YEAR

MAX_AMOUNT = 10**18 - 1  # fits a PositiveBigIntegerField with room for 5 × S

MSG_NOT_INTEGER = _("Enter a whole number of rials (digits and thousands separators only).")
MSG_NEGATIVE = _("Amounts cannot be negative.")
MSG_TOO_LARGE = _("This amount is too large.")
MSG_NOT_POSITIVE = _("Enter an amount greater than zero.")
MSG_YEAR = _("Enter a Jalali year between %(min)s and %(max)s, e.g. 1404.")
MSG_QUARTER = _("Enter a quarter from 1 to 4.")
MSG_FLAG = _("Use 1 for yes or 0 for no.")


class AmountField(forms.CharField):
    """Integer rials, ≥ 0 (or ≥ 1 with `positive=True`), e.g. «۱٬۵۰۰٬۰۰۰», «1,500,000», «١٥٠٠٠٠٠»."""

    def __init__(self, *, positive: bool = False, **kwargs):
        self.positive = positive
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "dir": "ltr", "maxlength": "40"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 40:
            raise ValidationError(MSG_TOO_LARGE, code="too_large")
        try:
            number = parse_int(value)
        except ValueError:
            raise ValidationError(MSG_NOT_INTEGER, code="invalid") from None
        if number < 0:
            raise ValidationError(MSG_NEGATIVE, code="negative")
        if number == 0 and self.positive:
            raise ValidationError(MSG_NOT_POSITIVE, code="not_positive")
        if number > MAX_AMOUNT:
            raise ValidationError(MSG_TOO_LARGE, code="too_large")
        return number


class YearField(forms.CharField):
    """A Jalali year, any digits."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "dir": "ltr", "maxlength": "10"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            year = parse_int(value) if len(value) <= 10 else None
        except ValueError:
            year = None
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            bounds = {"min": format_number(MIN_YEAR, grouping=False), "max": format_number(MAX_YEAR, grouping=False)}
            raise ValidationError(MSG_YEAR, code="invalid", params=bounds)
        return year


class QuarterField(forms.TypedChoiceField):
    """1–4; accepts Persian/Arabic digits too (the API's `quarter=۲`)."""

    def __init__(self, **kwargs):
        from .models import Quarter

        kwargs.setdefault("choices", Quarter.choices)
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)
        self.error_messages["invalid_choice"] = MSG_QUARTER

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return str(parse_int(value))
        except ValueError:
            raise ValidationError(MSG_QUARTER, code="invalid_choice") from None


class FlagField(forms.Field):
    """A strict yes/no for query strings: 1/0, true/false, yes/no, on/off; empty means no."""

    TRUE = {"1", "true", "yes", "on"}
    FALSE = {"0", "false", "no", "off", ""}

    def to_python(self, value):
        word = str(value or "").strip().lower()
        if word in self.TRUE:
            return True
        if word in self.FALSE:
            return False
        raise ValidationError(MSG_FLAG, code="invalid")

    def validate(self, value):
        pass

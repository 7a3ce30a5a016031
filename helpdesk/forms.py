"""Form fields for Persian input, used by every app.

- `JalaliDateField`: a Jalali date typed with Persian, Arabic or Latin digits and `/`, `-` or `.`
  (`۱۴۰۳/۱۲/۳۰`, `1403-12-30`) → `datetime.date` (Gregorian). Initial values are shown as Jalali dates.
- `JalaliDateTimeField`: `1403/12/30 14:05` in Tehran time → an aware datetime.
- `LocalizedIntegerField`: whole numbers with any digits and thousands separators (`۱٬۵۰۰٬۰۰۰`) → int.
- `LocalizedDecimalField`, `LocalizedTimeField`: decimals (`۹٫۵`) and times of day (`۰۸:۳۰`) in any digits.
- `PersianDigitsMixin` / `DigitsCharField`: any CharField that should store Latin digits.
- `MobileField`, `NationalIDField`, `LegalIDField`, `EconomicCodeField`: identifiers cleaned to their
  canonical form with `helpdesk.validators`.
- `localize_length_limits`: every `max_length` message on the site in the page's digits.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from . import jalali, validators
from .l10n import TEHRAN, format_number, to_tehran
from .persian import PERSIAN_DECIMAL_SEPARATOR, parse_int, to_latin_digits
from .widgets import (
    JalaliDateInput,
    JalaliDateTimeInput,
    LocalizedDecimalInput,
    LocalizedNumberInput,
    LocalizedTimeInput,
)

MSG_INTEGER = _("Enter a whole number, e.g. 1,500,000 (Persian or Latin digits).")
MSG_MIN_VALUE = _("Enter a number no less than %(limit_value)s.")
MSG_MAX_VALUE = _("Enter a number no greater than %(limit_value)s.")
MSG_MAX_LENGTH = _("Enter at most %(limit_value)s characters (this has %(show_value)s).")


def _error(exc: jalali.JalaliDateError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code, params=exc.params or None)


class JalaliDateField(forms.DateField):
    """A Jalali date → `datetime.date`. Leap days are checked: 1403/12/30 is valid, 1404/12/30 is not."""

    widget = JalaliDateInput
    default_error_messages = {"invalid": jalali.MSG_FORMAT}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return to_tehran(value).date()
        if isinstance(value, dt.date):
            return value
        try:
            return jalali.parse_jalali_date(value)
        except jalali.JalaliDateError as exc:
            raise _error(exc) from None


class JalaliDateTimeField(forms.DateTimeField):
    """A Jalali date and time typed in Tehran time → an aware datetime (stored in UTC by Django)."""

    widget = JalaliDateTimeInput
    default_error_messages = {"invalid": jalali.MSG_DATETIME_FORMAT}

    def prepare_value(self, value):
        # Django's DateTimeField would convert to the current time zone; the widget shows Tehran time itself.
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(), tzinfo=TEHRAN)
        try:
            return jalali.parse_jalali_datetime(value)
        except jalali.JalaliDateError as exc:
            raise _error(exc) from None


class _LocalizedLimit:
    """Min/max validator whose message shows the limit in the active language's digits (۱٬۰۰۰)."""

    def __call__(self, value):
        try:
            super().__call__(value)
        except ValidationError as exc:
            raise ValidationError(
                self.message, code=self.code, params={"limit_value": format_number(self.limit_value)}
            ) from exc


class _MinValue(_LocalizedLimit, MinValueValidator):
    message = MSG_MIN_VALUE


class _MaxValue(_LocalizedLimit, MaxValueValidator):
    message = MSG_MAX_VALUE


class LocalizedIntegerField(forms.IntegerField):
    """A whole number typed with Persian, Arabic or Latin digits and `,` `٬` `،` or spaces between
    thousands (amounts in rials). `min_value` / `max_value` give messages with the limit in the page's digits."""

    widget = LocalizedNumberInput
    default_error_messages = {"invalid": MSG_INTEGER}

    def __init__(self, *, min_value: int | None = None, max_value: int | None = None, **kwargs):
        super().__init__(**kwargs)  # limits are added below with localized messages, not Django's
        self.min_value, self.max_value = min_value, max_value
        if min_value is not None:
            self.validators.append(_MinValue(min_value))
        if max_value is not None:
            self.validators.append(_MaxValue(max_value))

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return parse_int(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def widget_attrs(self, widget):
        # A text input: no min/max/step attributes (the browser would apply them to a number it cannot read).
        return forms.Field.widget_attrs(self, widget)


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed with Persian, Arabic or Latin digits and «.» or «٫» as the point (a VAT rate: ۹٫۵)."""

    widget = LocalizedDecimalInput

    def to_python(self, value):
        if isinstance(value, str):
            value = to_latin_digits(value).replace(PERSIAN_DECIMAL_SEPARATOR, ".").strip()
        return super().to_python(value)


class LocalizedTimeField(forms.TimeField):
    """A time of day typed with Persian, Arabic or Latin digits (۰۸:۳۰)."""

    widget = LocalizedTimeInput

    def to_python(self, value):
        return super().to_python(to_latin_digits(value).strip() if isinstance(value, str) else value)


_DJANGO_MAX_LENGTH_MESSAGE = MaxLengthValidator.message
_django_max_length_check = MaxLengthValidator.__call__


def _check_length(self: MaxLengthValidator, value) -> None:
    """`MaxLengthValidator.__call__` on every form and model of the site (installed by `HelpdeskConfig.ready`):
    Django's message formats its numbers with `%d`, in Latin digits, and its Persian reads «…مساوی ۵»; this one
    writes «حداکثر ۳۰ نویسه وارد کنید (این ۴۱ نویسه دارد).» in the page's digits. A validator given its own
    message keeps Django's check (its message may format the numbers with `%d`)."""
    if self.message is not _DJANGO_MAX_LENGTH_MESSAGE:
        return _django_max_length_check(self, value)
    length = self.clean(value)
    limit = self.limit_value() if callable(self.limit_value) else self.limit_value
    if self.compare(length, limit):
        shown = {
            "limit_value": format_number(limit, grouping=False),
            "show_value": format_number(length, grouping=False),
        }
        raise ValidationError(MSG_MAX_LENGTH, code=self.code, params=shown)
    return None


def localize_length_limits() -> None:
    """Every length limit's message in the page's digits (see `_check_length`); called once at start-up."""
    MaxLengthValidator.__call__ = _check_length  # type: ignore[method-assign,assignment]


class PersianDigitsMixin:
    """For any CharField: Persian and Arabic digits in the input are stored as Latin digits."""

    def to_python(self, value):
        value = super().to_python(value)
        return to_latin_digits(value) if isinstance(value, str) else value


class DigitsCharField(PersianDigitsMixin, forms.CharField):
    pass


class _IdentifierField(PersianDigitsMixin, forms.CharField):
    normalize = staticmethod(lambda value: value)

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.normalize(value) if value else value


class MobileField(_IdentifierField):
    """`+98 912 123 4567`, `۰۹۱۲…` → `09121234567`."""

    normalize = staticmethod(validators.normalize_mobile)

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)


class NationalIDField(_IdentifierField):
    normalize = staticmethod(validators.normalize_national_id)


class LegalIDField(_IdentifierField):
    normalize = staticmethod(validators.normalize_legal_id)


class EconomicCodeField(_IdentifierField):
    normalize = staticmethod(validators.normalize_economic_code)

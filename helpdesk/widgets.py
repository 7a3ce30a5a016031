"""Form widgets for Persian input: Jalali dates and localized numbers.

`JalaliDateInput` carries `data-jdp`, so the Jalali date picker that base.html loads and `static/js/app.js`
starts on every page attaches to it. Its Media adds `static/js/jalali-fields.js`, which keeps Persian digits
in the field while letting the picker (Latin digits only) read it: put `{{ form.media }}` in the page's
`{% block scripts %}`. Without JavaScript the fields are plain text inputs that accept typed dates.

`JalaliDateTimeInput` carries `data-jdp` too: the site-wide picker is started with its time part (hours and
minutes), which date-only inputs turn off with `data-jdp-only-date`. Its value reads `۱۴۰۳/۱۲/۳۰ ۱۴:۰۵` and can
still be typed, in any digits. Both show what was typed (a form re-shown after an error, a filter form's values)
in the page's digits: Persian on Persian pages, Latin otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape

from .l10n import digits, format_jalali_date, format_jalali_datetime, format_number
from .persian import parse_int

# The picker itself (script and CSS) is loaded by base.html on every page.
_PICKER_MEDIA = forms.Media(js=("js/jalali-fields.js",))


class _JalaliInput(forms.TextInput):
    example = ""
    base_attrs: dict[str, str] = {}

    def __init__(self, attrs: dict | None = None):
        super().__init__({"autocomplete": "off", "dir": "ltr", **self.base_attrs, **(attrs or {})})

    @property
    def media(self) -> forms.Media:
        return _PICKER_MEDIA

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if "placeholder" not in widget_attrs:
            widget_attrs["placeholder"] = digits(self.example)
        return context

    def format_value(self, value):
        # What was typed, re-shown after an error (or a filter form's value), in the page's digits.
        formatted = super().format_value(value)
        return digits(formatted) if formatted else formatted


class JalaliDateInput(_JalaliInput):
    """A Jalali date, shown as ۱۴۰۳/۱۲/۳۰ (Persian) or 1403/12/30 (English)."""

    example = "1403/01/31"
    base_attrs = {"data-jdp": "", "data-jdp-only-date": ""}

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_jalali_date(value)
        return super().format_value(value)


class JalaliDateTimeInput(_JalaliInput):
    """A Jalali date and time in Tehran, shown as ۱۴۰۳/۱۲/۳۰ ۱۴:۰۵."""

    example = "1403/01/31 08:30"
    base_attrs = {"data-jdp": ""}

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            return format_jalali_datetime(value)
        if isinstance(value, dt.date):
            return format_jalali_date(value)
        return super().format_value(value)


class LocalizedTimeInput(forms.TimeInput):
    """A time of day, shown as ۰۸:۳۰ (Persian) or 08:30 (English); typed with any digits."""

    def __init__(self, attrs: dict | None = None):
        super().__init__({"dir": "ltr", "inputmode": "numeric", "autocomplete": "off", **(attrs or {})}, format="%H:%M")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", digits("08:30"))
        return context

    def format_value(self, value):
        formatted = super().format_value(value)
        return digits(formatted) if formatted else formatted


class LocalizedDecimalInput(forms.TextInput):
    """A text input for decimals (a type=number input would refuse Persian digits): ۹٫۵۰ in Persian, 9.50 in
    English."""

    def __init__(self, attrs: dict | None = None):
        super().__init__({"inputmode": "decimal", "dir": "ltr", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format_number(value, grouping=False)
        return super().format_value(value)


class LocalizedNumberInput(forms.TextInput):
    """A text input for whole numbers (a type=number input would refuse Persian digits and separators);
    initial values are shown grouped: ۱۲٬۳۴۵٬۶۷۸ in Persian, 12,345,678 in English."""

    def __init__(self, attrs: dict | None = None, *, grouping: bool = True):
        self.grouping = grouping
        super().__init__({"inputmode": "numeric", "dir": "ltr", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_number(value, grouping=self.grouping)
        if isinstance(value, str) and value:
            # Re-shown after an error elsewhere on the form: keep what was typed unless it is a plain number.
            try:
                return format_number(parse_int(value), grouping=self.grouping)
            except ValueError:
                return value
        return super().format_value(value)


# Django's widget templates that are one `<input>` (`input.html`, alone or included), and `textarea.html`.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "hidden",
        "number",
        "email",
        "url",
        "password",
        "search",
        "tel",
        "date",
        "time",
        "datetime",
        "file",
    )
)
_TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
_CLEARABLE_TEMPLATE = "django/forms/widgets/clearable_file_input.html"


def _attrs_html(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html` in Python: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class InputRenderer(DjangoTemplates):
    """Django's form renderer, with the one-element widgets (inputs, textareas, an empty file input) built in
    Python: the same markup as their templates (`helpdesk/tests/test_widgets.py` compares them), without a
    template render each. Everything else (selects, radios, forms, errors) goes through the templates as usual.
    The staff ticket page's forms use it (`default_renderer`): eight widgets a request."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") or {}
        if template_name in _INPUT_TEMPLATES or (template_name == _CLEARABLE_TEMPLATE and not widget["is_initial"]):
            value = widget["value"] if template_name in _INPUT_TEMPLATES else None  # a file input shows no value
            shown = "" if value is None else f' value="{conditional_escape(value)}"'
            kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
            return f'<input type="{kind}" name="{name}"{shown}{_attrs_html(widget["attrs"])}>'
        if template_name == _TEXTAREA_TEMPLATE:
            body = conditional_escape(widget["value"]) if widget["value"] else ""
            name = conditional_escape(widget["name"])
            return f'<textarea name="{name}"{_attrs_html(widget["attrs"])}>\n{body}</textarea>'
        return super().render(template_name, context, request=request)

"""Forms: the public calculator, the JSON API's query strings, usage, increase requests and staff steps."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import AmountField, FlagField, QuarterField, YearField

MSG_PRIOR_REQUIRED = _("Enter the prior period's figures, or mark the unit as new.")


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors (no crispy layout needed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class _CeilingInputs(BootstrapMixin, forms.Form):
    year = YearField(label=_("Jalali year of the period"))
    quarter = QuarterField(label=_("Quarter"))
    prior_sales = AmountField(label=_("Declared sales, same period last year (rials)"), required=False)
    prior_vat = AmountField(label=_("VAT due on those sales (rials)"), required=False)
    prior_vat_paid = AmountField(label=_("VAT paid or arranged (rials)"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("new_unit"):
            for name in ("prior_sales", "prior_vat", "prior_vat_paid"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, forms.ValidationError(MSG_PRIOR_REQUIRED, code="required"))
        return data


class CalculatorForm(_CeilingInputs):
    new_unit = forms.BooleanField(
        label=_("New unit, or no tax history / no declaration for that period"), required=False
    )

    field_order = ["year", "quarter", "new_unit", "prior_sales", "prior_vat", "prior_vat_paid"]


class CeilingQueryForm(_CeilingInputs):
    """`GET /limits/api/ceiling/`: the same inputs; `new_unit` is 0 or 1."""

    new_unit = FlagField(required=False)


class VatQueryForm(forms.Form):
    """`GET /limits/api/vat/`."""

    year = YearField()
    amount = AmountField()

"""Forms: the public calculator, the JSON API's query strings, usage, increase requests and staff steps."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.forms import JalaliDateField
from helpdesk.uploads import validate_upload

from . import text
from .fields import AmountField, FlagField, QuarterField, YearField
from .models import GuaranteeType, Settlement
from .periods import Period

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


def period_value(period: Period) -> str:
    return f"{period.year}-{period.quarter}"


class IncreaseRequestForm(BootstrapMixin, forms.Form):
    """The seller's request: the period (current or next), the extra sales X, the signed form."""

    period = forms.ChoiceField(label=_("Tax period"))
    amount = AmountField(
        positive=True,
        label=_("Extra sales needed above the ceiling (rials)"),
        help_text=_("The VAT on this amount must be paid, arranged or guaranteed before the increase."),
    )
    signed_form = forms.FileField(
        label=_("Signed request form"),
        help_text=_("The written request, signed and stamped by the seller (PDF or image)."),
    )
    description = forms.CharField(
        label=_("Explanation"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, periods: list[Period], **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {period_value(p): p for p in periods}
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (period_value(p), text.period_text(p)) for p in periods
        ]
        self.fields["amount"].widget.attrs["data-limits-vat-amount"] = "1"

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]

    def clean_signed_form(self):
        upload = self.cleaned_data["signed_form"]
        validate_upload(upload)  # the site-wide upload rules: size, type, content (the service checks again)
        upload.seek(0)
        return upload


class PriorDebtForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Unpaid tax of the same period last year"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What remains unpaid and how the seller can pay or arrange it."),
    )


class SettlementRequestForm(BootstrapMixin, forms.Form):
    method = forms.ChoiceField(label=_("How the VAT on the extra sales is settled"), choices=Settlement.choices)
    payment_id = forms.CharField(label=_("Payment ID issued"), max_length=40, required=False)


class SettleForm(BootstrapMixin, forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=60, required=False)
    arrangement_decision = forms.CharField(label=_("Arrangement decision"), max_length=200, required=False)
    guarantee_type = forms.ChoiceField(
        label=_("Guarantee type"), choices=[("", "—"), *GuaranteeType.choices], required=False
    )
    guarantee_amount = AmountField(label=_("Guarantee amount (rials)"), required=False)
    guarantee_issuer = forms.CharField(label=_("Guarantee issuer"), max_length=200, required=False)
    guarantee_expiry = JalaliDateField(label=_("Guarantee expiry"), required=False)

    FIELDS_BY_METHOD: dict[str, tuple[str, ...]] = {
        Settlement.PAYMENT: ("payment_reference",),
        Settlement.ARRANGEMENT: ("arrangement_decision",),
        Settlement.GUARANTEE: ("guarantee_type", "guarantee_amount", "guarantee_issuer", "guarantee_expiry"),
    }

    def __init__(self, *args, method: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        keep = self.FIELDS_BY_METHOD.get(method)
        if keep:
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]
            for name in keep:  # the service says which are missing, in its own words; mark them for the eye
                self.fields[name].widget.attrs["required"] = "required"


class AnnounceForm(BootstrapMixin, forms.Form):
    letter_number = forms.CharField(label=_("Letter number"), max_length=60)
    letter_date = JalaliDateField(label=_("Letter date"))
    announced_amount = AmountField(positive=True, label=_("Exact amount announced (rials)"))


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class EmptyForm(forms.Form):
    """Steps without fields (review, apply, withdraw): only the CSRF-protected POST."""


class UsageForm(BootstrapMixin, forms.Form):
    period = forms.ChoiceField(label=_("Tax period"))
    amount = AmountField(positive=True, label=_("Invoice total (rials)"))
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("E.g. the invoice numbers.")
    )

    def __init__(self, *args, periods: list[Period], **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {period_value(p): p for p in periods}
        cast(forms.ChoiceField, self.fields["period"]).choices = [
            (period_value(p), text.period_text(p)) for p in periods
        ]

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]


class ImportForm(BootstrapMixin, forms.Form):
    KIND_CHOICES = [("figures", _("Prior-period figures")), ("usage", _("Usage (invoice totals)"))]

    kind = forms.ChoiceField(label=_("What the file contains"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("CSV file (UTF-8)"))

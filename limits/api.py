"""The public JSON API (no login): the initial ceiling for typed figures and the VAT on an amount.

Bad input is `400 {"errors": {"<field>": ["<message>"]}}` — never a 500. Messages are in the site's language
(Persian unless the language cookie says English).
See the README («Article 6 JSON API»).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .calculations import rate_string
from .forms import CeilingQueryForm, VatQueryForm
from .selectors import YearParametersMissing, ceiling_estimate, vat_estimate


def _errors(form) -> JsonResponse:
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    return JsonResponse({"errors": errors}, status=400)


def _missing_year(exc: YearParametersMissing) -> JsonResponse:
    return JsonResponse({"errors": {"year": exc.messages}}, status=400)


@require_GET
def ceiling(request):
    form = CeilingQueryForm(request.GET)
    if not form.is_valid():
        return _errors(form)
    data = form.cleaned_data
    try:
        estimate = ceiling_estimate(**data)
    except YearParametersMissing as exc:
        return _missing_year(exc)
    result = estimate.result
    return JsonResponse(
        {
            "year": data["year"],
            "quarter": data["quarter"],
            "ceiling": result.ceiling,
            "basis": result.basis,
            "exemption": result.exemption,
            "paid_ratio": result.paid_ratio,
        }
    )


@require_GET
def vat(request):
    form = VatQueryForm(request.GET)
    if not form.is_valid():
        return _errors(form)
    year, amount = form.cleaned_data["year"], form.cleaned_data["amount"]
    try:
        rate, tax = vat_estimate(year=year, amount=amount)
    except YearParametersMissing as exc:
        return _missing_year(exc)
    return JsonResponse({"year": year, "rate": rate_string(rate), "vat": tax})

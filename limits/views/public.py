"""The public calculator (no login)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..forms import CalculatorForm
from ..selectors import YearParametersMissing, ceiling_estimate


@require_GET
def calculator(request):
    """A GET form, so a result can be bookmarked or shared."""
    form = CalculatorForm(request.GET or None)
    estimate = None
    if form.is_bound and form.is_valid():
        try:
            estimate = ceiling_estimate(**form.cleaned_data)
        except YearParametersMissing as exc:
            form.add_error("year", exc)
    return render(request, "limits/calculator.html", {"form": form, "estimate": estimate})

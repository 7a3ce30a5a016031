"""Reads: year parameters (with errors that name the missing year), taxpayers and ceilings for a user."""

from __future__ import annotations

from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Ceiling, PriorPeriodFigures, Taxpayer, YearParameters
from .periods import Period

MSG_NO_YEAR = _("No Article 6 parameters are configured for the year %(year)s.")
MSG_NO_EXEMPTION = _("The annual exemption (Article 101) for the year %(year)s is not configured.")
MSG_NO_VAT_RATE = _("The VAT rate for the year %(year)s is not configured.")


class YearParametersMissing(ValidationError):
    """A figure a calculation needs is not configured for `year` (never silently taken from another year)."""

    def __init__(self, year: int, what: str):
        self.year = year
        self.what = what  # "year", "exemption" or "vat_rate"
        message = {"year": MSG_NO_YEAR, "exemption": MSG_NO_EXEMPTION, "vat_rate": MSG_NO_VAT_RATE}[what]
        super().__init__(message, code=f"missing_{what}", params={"year": year})


def year_parameters(year: int) -> YearParameters:
    try:
        return YearParameters.objects.get(year=year)
    except YearParameters.DoesNotExist:
        raise YearParametersMissing(year, "year") from None


def exemption_for(year: int) -> int:
    """E of `year` in rials; raises YearParametersMissing naming the year."""
    params = year_parameters(year)
    if params.exemption is None:
        raise YearParametersMissing(year, "exemption")
    return params.exemption


def vat_rate_for(year: int) -> Fraction:
    """r of `year` as an exact fraction of one; raises YearParametersMissing naming the year."""
    params = year_parameters(year)
    if params.vat_rate is None:
        raise YearParametersMissing(year, "vat_rate")
    return params.rate


def prior_figures_for(taxpayer: Taxpayer, period: Period) -> PriorPeriodFigures | None:
    """The figures of the same period one year earlier (دوره مشابه سال قبل), if declared."""
    prior = period.same_period_last_year()
    return PriorPeriodFigures.objects.filter(taxpayer=taxpayer, year=prior.year, quarter=prior.quarter).first()


def ceilings_of(taxpayer: Taxpayer) -> QuerySet[Ceiling]:
    return Ceiling.objects.filter(taxpayer=taxpayer).order_by("-year", "-quarter")

"""Reads: year parameters (with errors that name the missing year), taxpayers and ceilings for a user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import format_number

from .calculations import CeilingResult, Policies, exemption_year, initial_ceiling, ratio_string, vat_on
from .conf import policies
from .filters import IncreaseRequestFilter
from .models import Ceiling, IncreaseRequest, PriorPeriodFigures, Taxpayer, YearParameters
from .periods import Period

if TYPE_CHECKING:
    from tickets.models import TicketEvent

MSG_NO_YEAR = _("No Article 6 parameters are configured for the year %(year)s.")
MSG_NO_EXEMPTION = _("The annual exemption (Article 101) for the year %(year)s is not configured.")
MSG_NO_VAT_RATE = _("The VAT rate for the year %(year)s is not configured.")


class YearParametersMissing(ValidationError):
    """A figure a calculation needs is not configured for `year` (never silently taken from another year)."""

    def __init__(self, year: int, what: str):
        self.year = year
        self.what = what  # "year", "exemption" or "vat_rate"
        message = {"year": MSG_NO_YEAR, "exemption": MSG_NO_EXEMPTION, "vat_rate": MSG_NO_VAT_RATE}[what]
        super().__init__(message, code=f"missing_{what}", params={"year": format_number(year, grouping=False)})


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


def missing_parameters(period: Period) -> YearParametersMissing | None:
    """Why no ceiling can be computed for `period` (its year's exemption is missing), or None when it exists.

    The pages show this instead of "not computed yet", so a year without figures (e.g. 1405 before an admin enters
    them) reads as what it is: staff get the message naming the figure, customers a plain one naming the year."""
    try:
        exemption_for(exemption_year(period.year, policies()))
    except YearParametersMissing as exc:
        return exc
    return None


def years_missing_parameters(now: dt.datetime | None = None) -> list[int]:
    """The years of the current and the next period that lack E or r (one query), for the staff banner."""
    current = Period.current(now)
    years = sorted({current.year, current.next().year})
    complete = YearParameters.objects.filter(year__in=years, exemption__isnull=False, vat_rate__isnull=False)
    return sorted(set(years) - set(complete.values_list("year", flat=True)))


def fileable_periods(periods: list[Period]) -> tuple[list[Period], list[int]]:
    """Of the periods an increase may be requested for, those whose year has a VAT rate (one query), and the years
    that have none (the form says so instead of refusing the request after it is filled in)."""
    years = {p.year for p in periods}
    rated = set(YearParameters.objects.filter(year__in=years, vat_rate__isnull=False).values_list("year", flat=True))
    return [p for p in periods if p.year in rated], sorted(years - rated)


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


@dataclass(frozen=True)
class Estimate:
    """A ceiling computed from typed figures (calculator and API), with what the explanation needs."""

    period: Period
    result: CeilingResult
    exemption_year: int
    policies: Policies
    prior_sales: int | None
    prior_vat: int | None
    prior_vat_paid: int | None

    @property
    def paid_percent(self) -> str:
        """The paid share in percent, truncated to two decimals ("50", "33.33")."""
        return ratio_string(self.result.paid_numerator * 100, self.result.paid_denominator, places=2)


def ceiling_estimate(
    *,
    year: int,
    quarter: int,
    prior_sales: int | None,
    prior_vat: int | None,
    prior_vat_paid: int | None,
    new_unit: bool,
) -> Estimate:
    """The initial ceiling for typed figures under the policies in force. Raises YearParametersMissing."""
    pol = policies()
    period = Period(year, quarter)
    e_year = exemption_year(year, pol)
    result = initial_ceiling(
        prior_sales=prior_sales,
        prior_vat=prior_vat,
        prior_vat_paid=prior_vat_paid,
        exemption=exemption_for(e_year),
        new_unit=new_unit,
        policies=pol,
    )
    return Estimate(period, result, e_year, pol, prior_sales, prior_vat, prior_vat_paid)


def vat_estimate(*, year: int, amount: int) -> tuple[Fraction, int]:
    """(rate, VAT on `amount`) for `year`, truncated to whole rials. Raises YearParametersMissing."""
    rate = vat_rate_for(year)
    return rate, vat_on(amount, rate)


def taxpayers_overview(taxpayers: QuerySet[Taxpayer], *, period: Period) -> QuerySet[Taxpayer]:
    """Taxpayers with `current` = [their ceiling for `period`] (two queries for any number of rows)."""
    return taxpayers.select_related("owner_user", "owner_organisation").prefetch_related(
        Prefetch("ceilings", queryset=Ceiling.objects.for_period(period), to_attr="current")
    )


def requests_of(taxpayer: Taxpayer) -> QuerySet[IncreaseRequest]:
    return taxpayer.increase_requests.select_related("ticket").order_by("-created_at", "-pk")


def request_queue(
    requests: QuerySet[IncreaseRequest], params: Mapping | None
) -> tuple[IncreaseRequestFilter, QuerySet]:
    """The staff list: `requests` (already scoped to the user) filtered and sorted by `params`."""
    base = requests.select_related("taxpayer", "ticket").order_by("period_ends_at", "-created_at")
    filterset = IncreaseRequestFilter(params or None, queryset=base)
    return filterset, filterset.qs


def request_timeline(request: IncreaseRequest) -> QuerySet[TicketEvent]:
    """The request's steps: our events on its ticket (public kinds only), oldest first, one query."""
    return request.ticket.events.filter(kind__startswith="limits_").select_related("actor").order_by("created_at", "pk")

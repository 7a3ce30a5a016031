"""Demo data for `manage.py load_demo` (DEBUG only): sample year parameters for the current and the next Jalali
year (only the 1400–1404 figures are seeded), a taxpayer for the demo customer with two years of declared figures,
its ceilings with some usage, and the demo agent in the Article 6 department. Idempotent (get_or_create); creates
no accounts, and never overwrites a figure an admin entered."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts.models import User

from . import services
from .models import FigureSource, PriorPeriodFigures, Taxpayer, YearParameters
from .periods import Period

logger = logging.getLogger(__name__)

CUSTOMER_EMAIL = "customer@example.com"
AGENT_EMAIL = "agent@example.com"
ECONOMIC_CODE = "41100000000018"
NATIONAL_ID = "0076229645"  # the valid example of docs/article6.md
NAME = "فروشگاه لوازم خانگی احمدی"
# Same season last year: 12 bn rials of sales, 1.2 bn of VAT of which 0.9 bn paid or arranged (75 %).
SALES, VAT_DUE, VAT_PAID = 12_000_000_000, 1_200_000_000, 900_000_000
# Sample figures for years nobody has entered yet (1404's official ones), marked as samples in their sources.
SAMPLE_EXEMPTION, SAMPLE_VAT_RATE = 2_000_000_000, Decimal("10")
SAMPLE_SOURCE = "نمونه برای آزمایش؛ پیش از استفادهٔ واقعی با رقم رسمی جایگزین شود"


def load() -> list[tuple[str, str, str]]:
    current = Period.current()
    for year in (current.year, current.year + 1):
        _sample_year_parameters(year)
    customer = User.objects.filter(email__iexact=CUSTOMER_EMAIL).first()
    if customer is None:
        logger.warning("limits demo: %s not found; run accounts.demo first.", CUSTOMER_EMAIL)
        return []
    taxpayer, _created = Taxpayer.objects.get_or_create(
        economic_code=ECONOMIC_CODE,
        defaults={
            "national_id": NATIONAL_ID,
            "name": NAME,
            "owner_user": customer,
            "registered_on": dt.date(2019, 4, 1),
        },
    )
    for year in (current.year - 2, current.year - 1):
        for quarter in (1, 2, 3, 4):
            PriorPeriodFigures.objects.get_or_create(
                taxpayer=taxpayer,
                year=year,
                quarter=quarter,
                defaults={
                    "sales": SALES,
                    "vat_due": VAT_DUE,
                    "vat_paid": VAT_PAID,
                    "source": FigureSource.ENTERED,
                    "source_note": "داده نمایشی",
                },
            )
    agent = User.objects.filter(email__iexact=AGENT_EMAIL).first()
    if agent is not None:
        # article6_ticket_type() refuses a type without its department
        services.article6_ticket_type().default_department.members.add(agent)  # type: ignore[union-attr]
    # The last four periods and the current one, each with 60 % used (below the 80 % warning).
    period = current
    for _ in range(5):
        _ceiling_with_usage(taxpayer, period)
        period = period.previous()
    return []


def _sample_year_parameters(year: int) -> None:
    """Fill E and r of `year` with the samples where they are empty; an entered figure stays as it is."""
    params = YearParameters.objects.filter(year=year).first() or YearParameters(year=year)
    changed = False
    if params.exemption is None:
        params.exemption, params.exemption_source, changed = SAMPLE_EXEMPTION, SAMPLE_SOURCE, True
    if params.vat_rate is None:
        params.vat_rate, params.vat_rate_source, changed = SAMPLE_VAT_RATE, SAMPLE_SOURCE, True
    if changed:
        services.year_parameters_save(params=params)


def _ceiling_with_usage(taxpayer: Taxpayer, period: Period) -> None:
    try:
        ceiling = services.ceiling_compute(taxpayer=taxpayer, period=period)
        if not ceiling.usages.exists():
            services.usage_record(
                taxpayer=taxpayer, period=period, amount=ceiling.total * 6 // 10, reference="demo-invoices"
            )
    except ValidationError as exc:  # e.g. no parameters for this year yet: an admin enters them
        logger.warning("limits demo: no ceiling for %s: %s", period, " ".join(exc.messages))

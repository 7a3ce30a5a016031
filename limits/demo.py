"""Demo data for `manage.py load_demo` (DEBUG only): a taxpayer for the demo customer with a year of declared
figures, its current ceiling when the year's parameters exist, some usage, and the demo agent in the Article 6
department. Idempotent (get_or_create); creates no accounts."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError

from accounts.models import User

from . import services
from .models import FigureSource, PriorPeriodFigures, Taxpayer
from .periods import Period

logger = logging.getLogger(__name__)

CUSTOMER_EMAIL = "customer@example.com"
AGENT_EMAIL = "agent@example.com"
ECONOMIC_CODE = "41100000000018"
NATIONAL_ID = "0076229645"  # the valid example of ARTICLE6.md
NAME = "فروشگاه لوازم خانگی احمدی"
# Same season last year: 12 bn rials of sales, 1.2 bn of VAT of which 0.9 bn paid or arranged (75 %).
SALES, VAT_DUE, VAT_PAID = 12_000_000_000, 1_200_000_000, 900_000_000


def load() -> list[tuple[str, str, str]]:
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
    current = Period.current()
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


def _ceiling_with_usage(taxpayer: Taxpayer, period: Period) -> None:
    try:
        ceiling = services.ceiling_compute(taxpayer=taxpayer, period=period)
        if not ceiling.usages.exists():
            services.usage_record(
                taxpayer=taxpayer, period=period, amount=ceiling.total * 6 // 10, reference="demo-invoices"
            )
    except ValidationError as exc:  # e.g. no parameters for this year yet: an admin enters them
        logger.warning("limits demo: no ceiling for %s: %s", period, " ".join(exc.messages))

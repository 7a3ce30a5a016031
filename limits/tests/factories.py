"""Factories for the limits tests (taxpayers with valid identifiers, figures, ceilings)."""

import datetime as dt

import factory

from accounts.tests.factories import CustomerFactory
from limits.models import FigureSource, PriorPeriodFigures, Taxpayer


def national_id(n: int) -> str:
    """A valid 10-digit national ID built from a serial number (check digit computed)."""
    body = f"{n % 10**9:09d}"
    if len(set(body)) == 1:
        body = f"{(n + 1) % 10**9:09d}"
    remainder = sum(int(body[i]) * (10 - i) for i in range(9)) % 11
    return body + str(remainder if remainder < 2 else 11 - remainder)


def legal_id(n: int) -> str:
    """A valid 11-digit legal national ID built from a serial number."""
    weights = (29, 27, 23, 19, 17)
    body = f"1{n % 10**9:09d}"
    d = int(body[9]) + 2
    remainder = sum((int(body[i]) + d) * weights[i % 5] for i in range(10)) % 11
    return body + str(0 if remainder == 10 else remainder)


class TaxpayerFactory(factory.django.DjangoModelFactory):
    """A person (14-digit economic code) owned by a customer account."""

    class Meta:
        model = Taxpayer

    economic_code = factory.Sequence(lambda n: f"{41000000000000 + n:014d}")
    national_id = factory.Sequence(lambda n: national_id(1000 + n))
    name = factory.Sequence(lambda n: f"فروشگاه نمونه {n}")
    owner_user = factory.SubFactory(CustomerFactory)
    owner_organisation = None
    registered_on = dt.date(2020, 1, 1)


class FiguresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorPeriodFigures

    taxpayer = factory.SubFactory(TaxpayerFactory)
    year = 1403
    quarter = 2
    sales = 10_000_000_000
    vat_due = 1_000_000_000
    vat_paid = 1_000_000_000
    source = FigureSource.ENTERED

"""Pinned query counts (#9) of the Article 6 pages not pinned beside their own tests (the calculator, the taxpayer
and request lists and pages are pinned in `test_views_*.py`), the JSON API, and the limits admin."""

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, pinned_get
from limits import services
from limits.models import Ceiling, IncreaseRequest, PriorPeriodFigures, Taxpayer, Usage, YearParameters
from limits.periods import Period

from .conftest import signed_form, tehran
from .factories import FiguresFactory, TaxpayerFactory

pytestmark = pytest.mark.django_db

Q2 = Period(1404, 2)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(tehran(1404, 6, 20), tick=False) as traveller:
        yield traveller


def filed(taxpayer):
    return services.increase_request_file(
        taxpayer=taxpayer, period=Q2, amount=1_000_000, signed_form=signed_form(), filed_by=taxpayer.owner_user
    )


@pytest.mark.pins("limits:index")
def test_the_index_of_a_seller_is_their_taxpayers(client, taxpayer, seller):
    services.ceiling_compute(taxpayer=taxpayer, period=Q2)
    client.force_login(seller)
    pinned_get(client, reverse("limits:index"), 5)


@pytest.mark.pins("limits:request_create")
def test_the_request_form(client, taxpayer, seller):
    services.ceiling_compute(taxpayer=taxpayer, period=Q2)
    client.force_login(seller)
    pinned_get(client, reverse("limits:request_create", args=[taxpayer.pk]), 4)


@pytest.mark.pins("limits:request_detail")
def test_a_request_page_for_its_seller(client, taxpayer, seller):
    increase = filed(taxpayer)
    client.force_login(seller)
    pinned_get(client, reverse("limits:request_detail", args=[increase.pk]), 5)


@pytest.mark.pins("limits:import")
def test_the_import_form(client, officer):
    client.force_login(officer)
    pinned_get(client, reverse("limits:import"), 3)


@pytest.mark.pins("limits:api_ceiling", "limits:api_vat")
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        (reverse("limits:api_ceiling") + "?year=1404&quarter=1&new_unit=1", 1),
        (reverse("limits:api_vat") + "?year=1404&amount=1000000", 1),
    ],
)
def test_the_json_api(client, url, queries):
    pinned_get(client, url, queries)


# --- the admin ------------------------------------------------------------------------------------------------

ADMIN = {
    Taxpayer: AdminPins(changelist=6, add=3, change=6, history=5, delete=7),
    YearParameters: AdminPins(changelist=6, add=3, change=4, history=5, delete=4),
    PriorPeriodFigures: AdminPins(changelist=7, add=3, change=6, history=6, delete=5),
    Ceiling: AdminPins(changelist=7, add=Denied(2), change=5, history=6, delete=Denied(3)),
    Usage: AdminPins(changelist=6, add=Denied(2), change=6, history=7, delete=Denied(3)),
    IncreaseRequest: AdminPins(changelist=7, add=Denied(2), change=7, history=6, delete=Denied(3)),
}


def _taxpayers(n: int) -> Taxpayer:
    return TaxpayerFactory.create_batch(n)[-1]


def _years(n: int) -> YearParameters:
    first = 1300 + YearParameters.objects.count()
    return YearParameters.objects.bulk_create(
        YearParameters(year=first + i, exemption=1_000_000_000, vat_rate=Decimal("9.00")) for i in range(n)
    )[-1]


def _ceilings(n: int) -> Ceiling:
    return [services.ceiling_compute(taxpayer=taxpayer, period=Q2) for taxpayer in TaxpayerFactory.create_batch(n)][-1]


def _usages(n: int) -> Usage:
    for taxpayer in TaxpayerFactory.create_batch(n):
        services.usage_record(taxpayer=taxpayer, period=Q2, amount=1_000)
    return Usage.objects.latest("pk")


MAKE = {
    Taxpayer: _taxpayers,
    YearParameters: _years,
    PriorPeriodFigures: lambda n: FiguresFactory.create_batch(n)[-1],
    Ceiling: _ceilings,
    Usage: _usages,
    IncreaseRequest: lambda n: [filed(taxpayer) for taxpayer in TaxpayerFactory.create_batch(n)][-1],
}


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, site_admin, model):
    client.force_login(site_admin)
    admin_pins(client, model, ADMIN[model], MAKE[model])


@pytest.mark.pins("admin:limits_taxpayer_change")
@pytest.mark.parametrize("quarters", [1, 30])
def test_a_taxpayer_admin_page_with_1_and_30_quarters_of_figures(client, site_admin, quarters):
    taxpayer = TaxpayerFactory()
    for i in range(quarters):
        FiguresFactory(taxpayer=taxpayer, year=1380 + i // 4, quarter=1 + i % 4)
    client.force_login(site_admin)
    pinned_get(client, reverse("admin:limits_taxpayer_change", args=[taxpayer.pk]), 6)

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.tests.factories import CustomerFactory, OrganisationFactory
from helpdesk.tests.errors import error_codes
from limits import events, services
from limits.models import Ceiling, FigureSource, Usage
from limits.periods import Period
from tickets.models import TicketEvent

from .conftest import tehran
from .factories import TaxpayerFactory

pytestmark = pytest.mark.django_db

Q2 = Period(1404, 2)  # new unit: ceiling 10,000,000,000


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(tehran(1404, 5, 10), tick=False):
        yield


@pytest.fixture
def notified(monkeypatch):
    seen = []
    monkeypatch.setattr("notifications.outbox.notify", lambda event: seen.append(event))
    return seen


def record(taxpayer, amount, **kwargs):
    return services.usage_record(taxpayer=taxpayer, period=Q2, amount=amount, **kwargs)


def warnings(taxpayer):
    return list(
        TicketEvent.objects.filter(kind=events.CEILING_WARNING, data__taxpayer=taxpayer.name).values_list(
            "data__level", flat=True
        )
    )


def test_usage_adds_up_and_computes_the_ceiling_when_missing(taxpayer, notified):
    record(taxpayer, 1_000)
    record(taxpayer, 2_500, reference="INV-1..40", source=FigureSource.IMPORTED)
    ceiling = Ceiling.objects.get(taxpayer=taxpayer, year=1404, quarter=2)
    assert (ceiling.used, ceiling.total, ceiling.remaining) == (3_500, 10_000_000_000, 10_000_000_000 - 3_500)
    assert Usage.objects.filter(ceiling=ceiling).count() == 2
    assert notified == []


def test_warnings_once_per_threshold(taxpayer, seller, notified):
    record(taxpayer, 7_999_999_999)
    assert warnings(taxpayer) == []
    record(taxpayer, 1)  # exactly 80 %
    assert warnings(taxpayer) == [80]
    record(taxpayer, 1_000)
    record(taxpayer, 1_000)
    assert warnings(taxpayer) == [80]
    record(taxpayer, 2_000_000_000)  # 100 % and beyond
    record(taxpayer, 5)
    assert warnings(taxpayer) == [80, 100]
    assert [e.kind for e in notified].count(events.CEILING_WARNING) == 2
    ceiling = Ceiling.objects.get(taxpayer=taxpayer)
    assert ceiling.warned_80_at and ceiling.warned_100_at
    ticket = ceiling.warning_ticket
    assert ticket.requester == seller and ticket.department.name == "حد مجاز فروش ماده ۶"
    assert ticket.events.filter(kind=events.CEILING_WARNING).count() == 2


def test_jump_past_100_sends_one_warning(taxpayer, notified):
    record(taxpayer, 12_000_000_000)
    assert warnings(taxpayer) == [100]
    assert Ceiling.objects.get(taxpayer=taxpayer).warned_80_at is not None  # implied, not sent separately
    record(taxpayer, 1)
    assert warnings(taxpayer) == [100]


def test_warning_state_is_per_period(taxpayer, notified):
    record(taxpayer, 9_000_000_000)
    services.usage_record(taxpayer=taxpayer, period=Period(1404, 3), amount=9_000_000_000)
    assert warnings(taxpayer) == [80, 80]
    assert Ceiling.objects.filter(taxpayer=taxpayer, warned_80_at__isnull=False).count() == 2


def test_recompute_lowering_the_ceiling_warns(taxpayer, notified, settings):
    from .factories import FiguresFactory

    record(taxpayer, 7_500_000_000)  # 75 % of 10 bn: no warning yet
    assert warnings(taxpayer) == []
    settings.ARTICLE6_FLOOR_TESTS_PAID_SALES = False
    FiguresFactory(taxpayer=taxpayer, year=1403, quarter=2, sales=3_000_000_000, vat_due=3, vat_paid=1)
    ceiling = services.ceiling_compute(taxpayer=taxpayer, period=Q2, recompute=True)
    assert ceiling.total == 5_000_000_000  # a debtor: 5 × 1 bn
    assert warnings(taxpayer) == [100]


def test_organisation_taxpayer_warns_its_manager(notified):
    org = OrganisationFactory()
    boss = CustomerFactory(organisation=org, organisation_role=User.OrganisationRole.MANAGER)
    CustomerFactory(organisation=org)
    company = TaxpayerFactory(owner_user=None, owner_organisation=org)
    record(company, 10_000_000_000)
    assert Ceiling.objects.get(taxpayer=company).warning_ticket.requester == boss


def test_nobody_to_warn_is_logged_not_an_error(caplog, notified):
    company = TaxpayerFactory(owner_user=None, owner_organisation=OrganisationFactory())
    record(company, 10_000_000_000)
    assert Ceiling.objects.get(taxpayer=company).warned_100_at is not None
    assert "no one to warn" in caplog.text


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_bad_amounts(taxpayer, amount):
    with pytest.raises(ValidationError) as exc:
        record(taxpayer, amount)
    assert error_codes(exc.value) == {"amount": ["not_positive"]}
    assert not Usage.objects.exists()


def test_duplicate_reference_refused(taxpayer):
    record(taxpayer, 10, reference="batch-7")
    with pytest.raises(ValidationError) as exc:
        record(taxpayer, 10, reference="batch-7")
    assert error_codes(exc.value) == {"reference": ["duplicate_reference"]}
    assert Ceiling.objects.get(taxpayer=taxpayer).used == 10

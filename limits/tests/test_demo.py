import pytest
import time_machine

from accounts import demo as accounts_demo
from limits import demo
from limits.models import Ceiling, PriorPeriodFigures, Taxpayer
from limits.services import article6_ticket_type

from .conftest import tehran

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_complete():
    accounts_demo.load()
    with time_machine.travel(tehran(1404, 8, 1), tick=False):
        assert demo.load() == []
        assert demo.load() == []
    taxpayer = Taxpayer.objects.get()
    assert taxpayer.owner_user.email == "customer@example.com"
    taxpayer.full_clean()
    assert PriorPeriodFigures.objects.count() == 8
    current = Ceiling.objects.get(year=1404, quarter=3)
    assert current.basis == "prior_sales_pro_rata" and current.used == current.total * 6 // 10
    assert Ceiling.objects.count() == 5  # 1403-Q3 … 1404-Q3
    assert article6_ticket_type().default_department.members.filter(email="agent@example.com").exists()


def test_demo_without_accounts_does_nothing():
    assert demo.load() == []
    assert not Taxpayer.objects.exists()

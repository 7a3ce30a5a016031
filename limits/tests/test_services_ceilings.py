import datetime as dt

import pytest
import time_machine
from django.utils import translation

from limits import services, tasks
from limits.calculations import Basis
from limits.models import Ceiling, YearParameters
from limits.periods import TEHRAN, Period
from limits.selectors import YearParametersMissing

from .factories import FiguresFactory, TaxpayerFactory

pytestmark = pytest.mark.django_db

Q2_1404 = Period(1404, 2)


def test_compute_from_prior_figures():
    figures = FiguresFactory(year=1403, quarter=2, sales=10_000_000_000, vat_due=1_000_000_000, vat_paid=500_000_000)
    ceiling = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)
    assert (ceiling.initial, ceiling.basis) == (25_000_000_000, Basis.PRIOR_SALES_PRO_RATA)
    assert (ceiling.exemption, ceiling.exemption_year) == (2_000_000_000, 1404)
    assert (ceiling.prior_sales, ceiling.prior_vat, ceiling.prior_vat_paid) == (
        10_000_000_000,
        1_000_000_000,
        500_000_000,
    )
    assert ceiling.total == 25_000_000_000


def test_uses_the_same_season_last_year_only():
    figures = FiguresFactory(year=1404, quarter=1)  # the previous season, not the same one last year
    ceiling = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)
    assert ceiling.basis == Basis.EXEMPTION_NEW_UNIT


def test_new_unit_flag_ignores_figures():
    figures = FiguresFactory(taxpayer=TaxpayerFactory(is_new_unit=True), year=1403, quarter=2)
    ceiling = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)
    assert (ceiling.initial, ceiling.basis) == (10_000_000_000, Basis.EXEMPTION_NEW_UNIT)
    assert ceiling.prior_sales is None


def test_exemption_year_policy_prior(settings):
    settings.ARTICLE6_EXEMPTION_YEAR = "prior"
    ceiling = services.ceiling_compute(taxpayer=TaxpayerFactory(), period=Q2_1404)
    assert (ceiling.initial, ceiling.exemption_year) == (5_000_000_000, 1403)


def test_floor_policy_setting(settings):
    debtor = {"year": 1403, "quarter": 2, "sales": 3_000_000_000, "vat_due": 300_000_000, "vat_paid": 100_000_000}
    a = services.ceiling_compute(taxpayer=FiguresFactory(**debtor).taxpayer, period=Q2_1404)
    assert (a.initial, a.basis, a.floor_tests_paid_sales) == (10_000_000_000, Basis.EXEMPTION_FLOOR, True)
    settings.ARTICLE6_FLOOR_TESTS_PAID_SALES = False
    b = services.ceiling_compute(taxpayer=FiguresFactory(**debtor).taxpayer, period=Q2_1404)
    assert (b.initial, b.basis, b.floor_tests_paid_sales) == (5_000_000_000, Basis.PRIOR_SALES_PRO_RATA, False)


def test_bad_policy_setting_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.ARTICLE6_EXEMPTION_YEAR = "next"
    with pytest.raises(ImproperlyConfigured):
        services.ceiling_compute(taxpayer=TaxpayerFactory(), period=Q2_1404)


def test_missing_exemption_is_an_error_naming_the_year_and_stores_nothing():
    taxpayer = TaxpayerFactory()
    with translation.override("fa"):
        with pytest.raises(YearParametersMissing) as exc:
            services.ceiling_compute(taxpayer=taxpayer, period=Period(1402, 3))
        assert exc.value.messages == ["معافیت سالانه (ماده ۱۰۱) برای سال ۱۴۰۲ تعریف نشده است."]
    assert exc.value.code == "missing_exemption"
    assert not Ceiling.objects.exists()


def test_never_reuses_another_years_exemption():
    YearParameters.objects.filter(year=1404).update(exemption=None)
    with pytest.raises(YearParametersMissing) as exc:
        services.ceiling_compute(taxpayer=TaxpayerFactory(), period=Q2_1404)
    assert (exc.value.code, exc.value.year) == ("missing_exemption", 1404)


def test_compute_twice_keeps_one_row_and_the_first_result():
    figures = FiguresFactory(year=1403, quarter=2)
    first = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)
    figures.vat_paid = 0
    figures.save()
    again = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)
    assert again.pk == first.pk and again.initial == first.initial
    assert Ceiling.objects.count() == 1


def test_staff_recompute_updates_initial_and_keeps_usage_and_increases():
    figures = FiguresFactory(year=1403, quarter=2, vat_paid=1_000_000_000)
    ceiling = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)
    Ceiling.objects.filter(pk=ceiling.pk).update(increases=7, used=3)
    figures.vat_paid = 500_000_000
    figures.save()
    ceiling = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404, recompute=True)
    assert (ceiling.initial, ceiling.basis) == (25_000_000_000, Basis.PRIOR_SALES_PRO_RATA)
    assert (ceiling.increases, ceiling.used) == (7, 3)


def _at(jy, jm, jd, hour=1):
    import jdatetime

    g = jdatetime.date(jy, jm, jd).togregorian()
    return dt.datetime(g.year, g.month, g.day, hour, tzinfo=TEHRAN)


def test_task_the_day_before_computes_next_period_for_everyone_and_is_idempotent():
    taxpayers = TaxpayerFactory.create_batch(3)
    FiguresFactory(taxpayer=taxpayers[0], year=1403, quarter=2)
    with time_machine.travel(_at(1404, 3, 31), tick=False):
        result = tasks.compute_upcoming_ceilings()
        assert result["1404-Q2"] == 3
        again = tasks.compute_upcoming_ceilings()
    assert again["1404-Q2"] == 0
    assert Ceiling.objects.for_period(Q2_1404).count() == 3
    assert Ceiling.objects.get(taxpayer=taxpayers[0], year=1404, quarter=2).basis == Basis.PRIOR_SALES


def test_task_on_an_ordinary_day_only_fills_the_current_period():
    TaxpayerFactory()
    with time_machine.travel(_at(1404, 3, 10), tick=False):
        result = tasks.compute_upcoming_ceilings()
    assert result == {"1404-Q1": 1}


def test_task_before_a_leap_years_q1_and_missing_parameters(caplog):
    TaxpayerFactory()
    # 1405 has no parameters: nothing stored for it, the error is logged, the current period still works
    with time_machine.travel(_at(1404, 12, 29), tick=False):
        result = tasks.compute_upcoming_ceilings()
    assert result == {"1405-Q1": 0, "1404-Q4": 1}
    assert "1405" in caplog.text

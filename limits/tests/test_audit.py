"""Article 6 in the audit trail (#14.6): a year's parameters added, changed and removed, a taxpayer's prior-period
figures entered, imported, changed and removed, a ceiling recomputed by staff, an increase applied — who, before →
after."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import AdminFactory
from helpdesk.models import AuditEntry
from limits import services
from limits.models import Ceiling, PriorPeriodFigures, YearParameters

from .factories import FiguresFactory, TaxpayerFactory
from .test_services_ceilings import Q2_1404
from .test_services_increases import clock, file, walk_to_announced  # noqa: F401 - clock is a fixture

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_year_parameters_added_changed_and_removed():
    admin = AdminFactory()
    params = services.year_parameters_save(params=YearParameters(year=1420, exemption=5, vat_rate=10), actor=admin)
    params.vat_rate = Decimal("12")
    params.vat_rate_source = "قانون بودجه"
    services.year_parameters_save(params=params, actor=admin)
    services.year_parameters_save(params=params, actor=admin)  # saved again unchanged: no entry
    services.year_parameters_delete(params=params, actor=admin)
    added, changed, removed = entries("article6_parameters_change")
    assert added.before == {}
    assert added.after == {
        "year": 1420,
        "exemption": 5,
        "exemption_source": "",
        "vat_rate": "10",
        "vat_rate_source": "",
    }
    assert (changed.before, changed.after) == (
        {"vat_rate": "10", "vat_rate_source": ""},
        {"vat_rate": "12", "vat_rate_source": "قانون بودجه"},
    )
    assert removed.before["year"] == 1420 and removed.after == {}
    assert {e.actor for e in (added, changed, removed)} == {admin}
    assert not YearParameters.objects.filter(year=1420).exists()


def test_the_admin_records_who_changed_a_year_and_from_where(client):
    admin = AdminFactory()
    client.force_login(admin)
    params = YearParameters.objects.order_by("year").first()
    data = {
        "year": params.year,
        "exemption": "7",
        "exemption_source": "x",
        "vat_rate": "9",
        "vat_rate_source": "y",
    }
    change = reverse("admin:limits_yearparameters_change", args=[params.pk])
    assert client.post(change, data, REMOTE_ADDR="192.0.2.70").status_code == 302
    (entry,) = entries("article6_parameters_change")
    assert (entry.actor, entry.ip, entry.after["exemption"]) == (admin, "192.0.2.70", 7)
    delete = reverse("admin:limits_yearparameters_delete", args=[params.pk])
    assert client.post(delete, {"post": "yes"}, REMOTE_ADDR="192.0.2.70").status_code == 302
    assert len(entries("article6_parameters_change")) == 2


def test_prior_period_figures_in_the_admin_are_recorded(client):
    admin = AdminFactory()
    client.force_login(admin)
    taxpayer = TaxpayerFactory()
    data = {
        "taxpayer": taxpayer.pk,
        "year": "1403",
        "quarter": "2",
        "sales": "10000000000",
        "vat_due": "1000000000",
        "vat_paid": "1000000000",
        "source_note": "اظهارنامه ۱۲",
    }
    add = reverse("admin:limits_priorperiodfigures_add")
    assert client.post(add, data, REMOTE_ADDR="192.0.2.71").status_code == 302
    figures = PriorPeriodFigures.objects.get(taxpayer=taxpayer)
    change = reverse("admin:limits_priorperiodfigures_change", args=[figures.pk])
    assert client.post(change, data | {"vat_paid": "500000000"}, REMOTE_ADDR="192.0.2.71").status_code == 302
    assert client.post(change, data | {"vat_paid": "500000000"}).status_code == 302  # unchanged: no entry
    delete = reverse("admin:limits_priorperiodfigures_delete", args=[figures.pk])
    assert client.post(delete, {"post": "yes"}, REMOTE_ADDR="192.0.2.71").status_code == 302
    added, changed, removed = entries("article6_figures_change")
    assert all(
        (e.actor, e.ip, e.target_id) == (admin, "192.0.2.71", str(figures.pk)) for e in (added, changed, removed)
    )
    assert added.before == {} and added.after["sales"] == 10_000_000_000 and added.after["source"] == "entered"
    assert (changed.before, changed.after) == ({"vat_paid": 1_000_000_000}, {"vat_paid": 500_000_000})
    assert removed.before["vat_paid"] == 500_000_000 and removed.after == {}
    assert not PriorPeriodFigures.objects.filter(pk=figures.pk).exists()


def test_the_taxpayers_figures_inline_is_recorded(client):
    admin = AdminFactory()
    client.force_login(admin)
    figures = FiguresFactory(sales=7)
    taxpayer = figures.taxpayer
    change = reverse("admin:limits_taxpayer_change", args=[taxpayer.pk])
    data = {
        "name": taxpayer.name,
        "economic_code": taxpayer.economic_code,
        "national_id": taxpayer.national_id,
        "owner_user": taxpayer.owner_user_id,
        "registered_on": "1398/10/11",  # 2020-01-01, a Jalali input on the Persian admin
    }
    data |= {
        "figures-TOTAL_FORMS": "2",
        "figures-INITIAL_FORMS": "1",
        "figures-0-id": figures.pk,
        "figures-0-taxpayer": taxpayer.pk,
        "figures-0-year": "1403",
        "figures-0-quarter": "2",
        "figures-0-sales": "9",
        "figures-0-vat_due": "1",
        "figures-0-vat_paid": "1",
        "figures-1-taxpayer": taxpayer.pk,
        "figures-1-year": "1402",
        "figures-1-quarter": "2",
        "figures-1-sales": "5",
        "figures-1-vat_due": "1",
        "figures-1-vat_paid": "1",
    }
    response = client.post(change, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors or response.context["inline_admin_formsets"]
    )
    changed, added = entries("article6_figures_change")
    assert (changed.before, changed.after) == (
        {"sales": 7, "vat_due": 1_000_000_000, "vat_paid": 1_000_000_000},
        {"sales": 9, "vat_due": 1, "vat_paid": 1},
    )
    assert added.after["year"] == 1402 and added.after["source"] == "entered" and added.actor == admin
    new = PriorPeriodFigures.objects.get(taxpayer=taxpayer, year=1402)
    assert new.created_by == admin


def test_imported_figures_are_recorded():
    officer = AdminFactory()
    old = FiguresFactory(taxpayer=TaxpayerFactory(economic_code="41000000000002"), sales=1)
    TaxpayerFactory(economic_code="41000000000001")
    content = (
        "economic_code,year,quarter,sales,vat_due,vat_paid,source_note\n"
        "41000000000001,1403,2,10,1,1,\n"
        "41000000000002,1403,2,20,1,1,\n"
    )
    report = services.figures_import_csv(file=io.BytesIO(content.encode()), actor=officer, filename="q2.csv")
    assert report.ok and (report.created, report.updated) == (1, 1)
    added, updated = entries("article6_figures_change")
    assert added.before == {} and added.after["sales"] == 10 and added.after["source"] == "imported"
    assert updated.target_id == str(old.pk) and updated.before["sales"] == 1 and updated.after["sales"] == 20
    assert updated.after["source_note"] == "q2.csv:3" and updated.actor == officer


def test_a_recomputed_ceiling_records_its_old_and_new_value():
    staff = AdminFactory()
    figures = FiguresFactory(year=1403, quarter=2, vat_paid=1_000_000_000)
    services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404)  # the first computation is no change
    services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404, actor=staff, recompute=True)  # the same
    assert entries("article6_ceiling_change") == []
    figures.vat_paid = 500_000_000
    figures.save()
    ceiling = services.ceiling_compute(taxpayer=figures.taxpayer, period=Q2_1404, actor=staff, recompute=True)
    (entry,) = entries("article6_ceiling_change")
    assert entry.actor == staff and entry.target_id == str(ceiling.pk)
    assert entry.before == {"initial": 50_000_000_000, "basis": "prior_sales", "prior_vat_paid": 1_000_000_000}
    assert entry.after == {"initial": 25_000_000_000, "basis": "prior_sales_pro_rata", "prior_vat_paid": 500_000_000}


def test_an_applied_increase_records_the_ceilings_increases(clock, taxpayer, seller, officer):  # noqa: F811
    request = walk_to_announced(file(taxpayer, seller, amount=3_000_000_000), officer)
    services.increase_request_apply(request=request, actor=officer)
    ceiling = Ceiling.objects.get(taxpayer=taxpayer, year=1404, quarter=2)
    (entry,) = entries("article6_ceiling_change")
    assert (entry.actor, entry.target_id) == (officer, str(ceiling.pk))
    assert entry.before == {"increases": 0}
    assert entry.after == {"increases": 3_000_000_000, "increase_request": request.pk}

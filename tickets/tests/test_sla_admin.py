"""SLA admin: policies, business hours and holidays (Jalali dates one by one or imported from a list)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tickets.models import Holiday, SLAPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.mark.parametrize("model", ["slapolicy", "businesshours", "holiday"])
def test_pages_load(superuser_client, model):
    Holiday.objects.create(date=dt.date(2026, 3, 21), name="نوروز")
    assert superuser_client.get(reverse(f"admin:tickets_{model}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"admin:tickets_{model}_add")).status_code == 200


def test_holiday_changelist_shows_the_jalali_date(superuser_client):
    Holiday.objects.create(date=dt.date(2026, 3, 21), name="نوروز")
    response = superuser_client.get(reverse("admin:tickets_holiday_changelist"))
    assert "۱۴۰۵/۰۱/۰۱" in response.content.decode()


def test_holiday_is_named_by_its_jalali_date_in_the_page_digits():
    holiday = Holiday(date=dt.date(2026, 3, 21), name="نوروز")
    with translation.override("fa"):
        assert str(holiday) == "۱۴۰۵/۰۱/۰۱ نوروز"
    with translation.override("en"):
        assert str(holiday) == "1405/01/01 نوروز"


def test_holiday_added_by_jalali_date(superuser_client):
    response = superuser_client.post(reverse("admin:tickets_holiday_add"), {"date": "۱۴۰۵/۰۱/۰۱", "name": "نوروز"})
    assert response.status_code == 302
    assert Holiday.objects.get().date == dt.date(2026, 3, 21)


def test_holiday_bad_date_is_refused(superuser_client):
    response = superuser_client.post(reverse("admin:tickets_holiday_add"), {"date": "1404/12/30", "name": "x"})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Holiday.objects.exists()


def test_holiday_import(superuser_client):
    Holiday.objects.create(date=dt.date(2026, 3, 21), name="old")
    text = "۱۴۰۵/۰۱/۰۱ نوروز\n\n1405/01/02 عید نوروز\n1405/01/13  روز طبیعت\n"
    response = superuser_client.post(reverse("admin:tickets_holiday_import"), {"lines": text})
    assert response.status_code == 302
    assert dict(Holiday.objects.values_list("date", "name")) == {
        dt.date(2026, 3, 21): "نوروز",
        dt.date(2026, 3, 22): "عید نوروز",
        dt.date(2026, 4, 2): "روز طبیعت",
    }


def test_holiday_import_with_a_bad_line_saves_nothing(superuser_client):
    text = "1405/01/01 نوروز\n1404/12/30 روز ناموجود\nfoo\n"
    response = superuser_client.post(reverse("admin:tickets_holiday_import"), {"lines": text})
    assert response.status_code == 200
    errors = response.context["form"].errors["lines"]
    assert len(errors) == 2 and "۲" in errors[0] and "۳" in errors[1]  # line numbers in the page's digits
    assert not Holiday.objects.exists()


def test_holiday_import_needs_permission(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:tickets_holiday_import"))
    assert response.status_code in (302, 403)


def test_policy_without_targets_is_refused(superuser_client, priority):
    response = superuser_client.post(
        reverse("admin:tickets_slapolicy_add"),
        {"name": "x", "priority": priority.pk, "warn_percent": 80, "level2_percent": 150, "is_active": "on"},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not SLAPolicy.objects.exists()


def test_policy_added(superuser_client, priority):
    response = superuser_client.post(
        reverse("admin:tickets_slapolicy_add"),
        {
            "name": "عادی",
            "priority": priority.pk,
            "first_response_minutes": 60,
            "resolution_minutes": 480,
            "warn_percent": 80,
            "level2_percent": 150,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert SLAPolicy.objects.get().resolution_minutes == 480

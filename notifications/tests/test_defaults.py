"""The admins' table of notification defaults (written by migrate from what the apps registered, kept when admins
changed it) and the month's SMS count and cost shown above the outbox in the admin."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from helpdesk.l10n import TEHRAN
from notifications import registry
from notifications.apps import write_missing_defaults
from notifications.models import Notification, NotificationDefault
from notifications.preferences import channels_for_users, default_rows, registered_default
from notifications.selectors import sms_month

pytestmark = pytest.mark.django_db

C = Notification.Channel
S = Notification.State


@pytest.fixture
def parcels(monkeypatch):
    """A group of a made-up app, staff by email only, customers by SMS only (the apps' groups stay as they were)."""
    monkeypatch.setattr(registry, "_GROUPS", dict(registry._GROUPS))
    registry.register_group(
        "parcels", label="بسته‌ها", customers=True, staff_channels=("email",), customer_channels=("sms",)
    )


@pytest.mark.usefixtures("parcels")
def test_a_groups_registered_defaults_are_the_first_rows_of_the_table(customer, agent):
    assert registered_default("parcels", "agent") == {"email": True, "sms": False, "panel": False}
    assert registered_default("parcels", "customer") == {"email": False, "sms": True, "panel": False}
    rows = {(role, group): channels for role, group, channels in default_rows()}
    assert rows[("manager", "parcels")] == {"email": True, "sms": False, "panel": False}
    assert ("customer", "note") not in rows  # customers never hear of internal notes
    assert ("agent", "limits") not in rows  # staff never of a seller's ceilings
    # Without a row in the table (a group registered after the last migrate), the registered defaults apply.
    assert channels_for_users([customer, agent], "parcels") == {customer.pk: [C.SMS], agent.pk: [C.EMAIL]}


@pytest.mark.usefixtures("parcels")
def test_migrate_writes_the_missing_rows_and_keeps_the_admins_changes():
    assert not NotificationDefault.objects.filter(group="parcels").exists()
    NotificationDefault.objects.filter(role="agent", group="new_ticket").update(sms=True)
    NotificationDefault.objects.filter(role="customer", group="reply").delete()
    write_missing_defaults(sender=None)
    assert NotificationDefault.objects.get(role="agent", group="new_ticket").sms  # the admin's choice stays
    assert NotificationDefault.objects.filter(role="customer", group="reply", sms=True).exists()  # written again
    assert NotificationDefault.objects.filter(group="parcels").count() == 5  # every access level
    assert NotificationDefault.objects.count() == len(default_rows())


def test_registration_refuses_unknown_channels(monkeypatch):
    monkeypatch.setattr(registry, "_GROUPS", dict(registry._GROUPS))
    with pytest.raises(ValueError, match="fax"):
        registry.register_group("parcels", label="x", staff_channels=("email", "fax"))


# --- the month's SMS -----------------------------------------------------------------------------------------------

# 1405/07/18 in Tehran; the Jalali month Mehr 1405 runs from 2026-09-23 to 2026-10-22.
NOW = datetime(2026, 10, 10, 12, 0, tzinfo=TEHRAN)
MONTH_START = datetime(2026, 9, 23, 0, 0, tzinfo=TEHRAN)
NEXT_MONTH = datetime(2026, 10, 23, 0, 0, tzinfo=TEHRAN)


@pytest.fixture
def sms_rows(customer):
    def row(state, sent_at, channel=C.SMS):
        return Notification.objects.create(
            recipient=customer, channel=channel, kind="created", state=state, sent_at=sent_at, address="x"
        )

    row(S.SENT, MONTH_START)  # the first moment of the month
    row(S.SENT, NOW)
    row(S.SENT, NEXT_MONTH - timedelta(seconds=1))  # the last
    row(S.SENT, MONTH_START - timedelta(seconds=1))  # last month
    row(S.SENT, NEXT_MONTH)  # next month
    row(S.FAILED, None)  # never sent: costs nothing
    row(S.PENDING, None)
    row(S.SENT, NOW, channel=C.EMAIL)


@pytest.mark.usefixtures("sms_rows")
def test_the_months_sms_are_those_sent_in_the_jalali_month(settings):
    settings.SMS_PRICE_RIALS = 0
    month = sms_month(now=NOW)
    assert (month.year, month.month, month.count, month.cost) == (1405, 7, 3, None)
    settings.SMS_PRICE_RIALS = 12_500
    assert sms_month(now=NOW).cost == 37_500


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


@pytest.mark.usefixtures("sms_rows")
def test_the_outbox_admin_shows_the_months_sms_and_their_cost(admin_client, settings):
    url = reverse("admin:notifications_notification_changelist")
    settings.SMS_PRICE_RIALS = 12_500
    with time_machine.travel(NOW, tick=False):
        html = admin_client.get(url).content.decode()
        assert "پیامک‌های ارسال‌شده در مهر ۱۴۰۵: ۳، به هزینهٔ ۳۷٬۵۰۰ ریال (هر پیامک ۱۲٬۵۰۰ ریال)." in html
        settings.SMS_PRICE_RIALS = 0
        html = admin_client.get(url).content.decode()
        assert "پیامک‌های ارسال‌شده در مهر ۱۴۰۵: ۳." in html and "SMS_PRICE_RIALS" in html
        admin_client.cookies["django_language"] = "en"
        english = admin_client.get(url).content.decode()
    assert "SMS sent in Mehr 1405: 3." in english

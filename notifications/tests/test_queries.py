"""Pinned query counts (#9) of the notification pages (the list is pinned in `test_panel.py`) and of the outbox
admin."""

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, pinned_get
from notifications.apps import write_missing_defaults
from notifications.models import DeliveryAlert, Notification, NotificationDefault

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]


def _panel(user, n: int) -> Notification:
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            channel=Notification.Channel.PANEL,
            kind="test",
            subject=f"اعلان {i}",
            body="متن",
            link="/tickets/",
            state=Notification.State.SENT,
            sent_at=timezone.now(),
        )
        for i in range(n)
    )
    return rows[-1]


@pytest.mark.pins("notifications:bell")
@pytest.mark.parametrize("unread", [1, 30])
def test_the_bell(client, customer, unread):
    _panel(customer, unread)
    client.force_login(customer)
    pinned_get(client, reverse("notifications:bell"), 3, HTTP_HX_REQUEST="true")


@pytest.mark.pins("notifications:preferences")
def test_the_preferences_page(client, customer):
    client.force_login(customer)
    pinned_get(client, reverse("notifications:preferences"), 4)


# --- the admin ------------------------------------------------------------------------------------------------

ADMIN = {
    Notification: AdminPins(changelist=8, add=Denied(2), change=5, history=5, delete=4),
    DeliveryAlert: AdminPins(changelist=7, add=Denied(2), change=4, history=5, delete=4),
}
DEFAULTS = {NotificationDefault: AdminPins(changelist=6, add=Denied(2), change=4, history=5, delete=Denied(3))}


def _alerts(n: int) -> DeliveryAlert:
    rows = DeliveryAlert.objects.bulk_create(
        DeliveryAlert(key=f"sms{i}", reason="اعتبار پیامک تمام شده است.", cleared_at=timezone.now()) for i in range(n)
    )
    return rows[-1]


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, site_admin, customer, model):
    client.force_login(site_admin)
    make = {Notification: lambda n: _panel(customer, n), DeliveryAlert: _alerts}[model]
    admin_pins(client, model, ADMIN[model], make)


def _defaults(n: int) -> NotificationDefault:
    """`migrate` wrote every (access level, group) row: keep one, or write the rest back (the table is that big)."""
    if n == 1:
        keep = NotificationDefault.objects.order_by("pk").first()
        NotificationDefault.objects.exclude(pk=keep.pk).delete()
        return keep
    write_missing_defaults(None, apps=django_apps)
    return NotificationDefault.objects.order_by("pk").last()


@pytest.mark.pins(*admin_names(DEFAULTS))
def test_the_admin_pages_of_the_defaults(client, site_admin):
    client.force_login(site_admin)
    rows = NotificationDefault.objects.count()
    admin_pins(client, NotificationDefault, DEFAULTS[NotificationDefault], _defaults, many=rows)

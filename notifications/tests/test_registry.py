"""The registry: an app's groups and kinds, and the filters every kind goes through. The events here belong to no
ticket (nor to any model): the app notifies whatever an app registers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core import mail

from accounts.tests.factories import CustomerFactory
from notifications import registry
from notifications.forms import groups_for
from notifications.models import Notification
from notifications.outbox import notify
from notifications.preferences import preferences_save, preferences_table
from notifications.render import Content

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

C = Notification.Channel


@dataclass
class Parcel:
    """An event of a made-up app: any object with `kind`, `actor_id` and `pk`."""

    people: list = field(default_factory=list)
    actor_id: int | None = None
    kind: str = "parcel_arrived"
    pk: int = 7


def parcel_content(event: Parcel):
    def content(user, audience: str) -> Content:
        return Content(title=f"بسته ({audience})", text="بسته شما رسید.", link="/parcels/7/", reference="7")

    return content


@pytest.fixture
def parcels(monkeypatch):
    """A group and a kind registered for one test (the apps' registrations stay as they were)."""
    monkeypatch.setattr(registry, "_GROUPS", dict(registry._GROUPS))
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    registry.register_group("parcels", label="بسته‌ها", staff=False, customers=True)
    registry.register_kind("parcel_arrived", group="parcels", recipients=lambda e: e.people, content=parcel_content)


@pytest.mark.usefixtures("parcels")
def test_any_event_of_a_registered_kind_is_notified_through_the_common_filters(customer, agent, site_admin):
    gone = CustomerFactory(is_active=False)
    event = Parcel(
        actor_id=agent.pk,
        people=[
            (customer, "owner"),
            (customer, "neighbour"),  # once: the first audience wins
            (None, "owner"),
            (gone, "owner"),  # inactive
            (agent, "owner"),  # their own action
            (site_admin, "courier"),
        ],
    )
    notify(event)
    rows = Notification.objects.filter(kind="parcel_arrived")
    assert set(rows.values_list("recipient_id", "channel")) == {
        (customer.pk, C.EMAIL),
        (customer.pk, C.SMS),
        (customer.pk, C.PANEL),
        (site_admin.pk, C.EMAIL),
        (site_admin.pk, C.SMS),
        (site_admin.pk, C.PANEL),
    }
    panel = rows.get(recipient=customer, channel=C.PANEL)
    assert panel.subject == "بسته (owner)" and panel.link == "/parcels/7/"
    assert (panel.source_type, panel.source_id, panel.target_type, panel.target_id) == (None, None, None, None)
    email = rows.get(recipient=customer, channel=C.EMAIL)
    assert (email.reply_to, email.thread_id) == ("", "")
    assert email.subject == "بسته (owner)"  # no subject tag: nothing asked for one
    assert "۷" in email.body  # the reference, in Persian digits
    assert mail.outbox == []  # delivered only after commit


@pytest.mark.usefixtures("parcels")
def test_the_actor_hears_of_their_own_action_only_as_an_acknowledgement(customer):
    notify(Parcel(actor_id=customer.pk, people=[(customer, registry.ACK)]))
    assert Notification.objects.get(recipient=customer, channel=C.PANEL).subject == f"بسته ({registry.ACK})"


@pytest.mark.usefixtures("parcels")
def test_a_registered_group_is_a_row_of_the_preferences_of_the_side_it_concerns(customer, agent):
    assert ("parcels", "بسته‌ها") in groups_for(customer)
    assert "parcels" not in dict(groups_for(agent))
    preferences_save(user=customer, table={"parcels": {"email": False, "sms": True, "panel": False}})
    assert preferences_table(customer)["parcels"] == {"email": False, "sms": True, "panel": False}
    notify(Parcel(people=[(customer, "owner")]))
    assert list(Notification.objects.filter(recipient=customer).values_list("channel", flat=True)) == [C.SMS]


def test_an_event_of_an_unregistered_kind_tells_nobody(customer, caplog):
    with caplog.at_level("INFO", logger="notifications"):
        notify(Parcel(kind="nobody_listens", people=[(customer, "owner")]))
    assert not Notification.objects.exists()
    assert "nobody_listens" in caplog.text  # every event is logged, told or not


def test_registration_refuses_unknown_groups_and_bad_codes(monkeypatch):
    monkeypatch.setattr(registry, "_GROUPS", dict(registry._GROUPS))
    with pytest.raises(ValueError, match="Unknown notification group"):
        registry.register_kind("parcel_arrived", group="no_such_group", recipients=list, content=parcel_content)
    with pytest.raises(ValueError):
        registry.register_group("g" * 21, label="x")
    with pytest.raises(ValueError):
        registry.register_group("", label="x")


def test_the_apps_register_their_groups_in_order():
    """The preferences rows are the groups of the installed apps: tickets', then the limits app's."""
    assert registry.group_codes() == ["new_ticket", "reply", "note", "assignment", "status", "sla", "limits"]

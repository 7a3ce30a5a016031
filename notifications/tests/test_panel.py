"""Panel notifications (F21): the bell, the list, mark as read; the preferences page; the outbox admin."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from helpdesk.tests.pins import pinned_get
from notifications import outbox
from notifications.models import DeliveryAlert, Notification, NotificationPreference

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

C = Notification.Channel
S = Notification.State


def panel(user, n: int = 1, **fields) -> list[Notification]:
    now = timezone.now()
    fields.setdefault("link", "/tickets/")
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            channel=C.PANEL,
            kind="test",
            subject=f"اعلان {i}",
            body="متن اعلان",
            state=S.SENT,
            sent_at=now,
            **fields,
        )
        for i in range(n)
    )


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def test_the_bell_is_in_the_navbar_and_costs_the_page_no_query(customer_client):
    html = customer_client.get(reverse("home")).content.decode()
    bell = BeautifulSoup(html, "html.parser").select_one("[data-notifications-bell]")
    assert bell is not None
    assert bell["hx-get"] == reverse("notifications:bell")
    assert "every 60s" in bell["hx-trigger"] and "notifications-changed from:body" in bell["hx-trigger"]
    assert "/static/js/notifications.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_no_bell_for_visitors(client):
    html = client.get(reverse("home")).content.decode()
    assert "data-notifications-bell" not in html


def test_bell_counts_only_my_unread_panel_notifications(customer_client, customer, agent):
    panel(customer, 3)
    panel(customer, 2, read_at=timezone.now())
    panel(agent, 4)
    Notification.objects.create(recipient=customer, channel=C.EMAIL, kind="test", subject="x")
    response = customer_client.get(reverse("notifications:bell"))
    badge = BeautifulSoup(response.content, "html.parser").select_one(".badge")
    assert badge.get_text(strip=True).startswith("۳")


def test_bell_is_empty_without_unread_and_204_for_visitors(customer_client, client):
    response = customer_client.get(reverse("notifications:bell"))
    assert response.status_code == 200 and b"badge" not in response.content
    assert Client().get(reverse("notifications:bell")).status_code == 204


def test_list_shows_mine_only(customer_client, customer, agent):
    panel(customer, 2)
    panel(agent, 1)
    Notification.objects.filter(recipient=agent).update(subject="اعلان محرمانه همکار")
    html = customer_client.get(reverse("notifications:list")).content.decode()
    assert html.count('class="list-group-item') == 2
    assert "اعلان محرمانه همکار" not in html


def test_list_needs_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.pins("notifications:list")
@pytest.mark.parametrize("rows", [1, 30])
def test_list_query_count_is_flat(customer_client, customer, rows):
    panel(customer, rows)
    # session, user, page count, the page, unread count
    response = pinned_get(customer_client, reverse("notifications:list"), 5)
    assert len(response.context["page_obj"].object_list) == min(rows, 25)  # the default page size


def test_mark_one_read_with_htmx_refreshes_the_bell(customer_client, customer):
    (row,) = panel(customer)
    response = customer_client.post(reverse("notifications:read", args=[row.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    row.refresh_from_db()
    assert row.read_at is not None
    assert f'id="notification-{row.pk}"' in response.content.decode()


def test_open_marks_read_and_goes_to_the_link(customer_client, customer):
    (row,) = panel(customer)
    response = customer_client.post(reverse("notifications:read", args=[row.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_open_never_redirects_off_site(customer_client, customer):
    (row,) = panel(customer, link="https://evil.example.com/")
    response = customer_client.post(reverse("notifications:read", args=[row.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:list")


def test_someone_elses_notification_is_a_404_and_stays_unread(customer_client, agent):
    (row,) = panel(agent)
    response = customer_client.post(reverse("notifications:read", args=[row.pk]))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_read_is_post_only(customer_client, customer):
    (row,) = panel(customer)
    assert customer_client.get(reverse("notifications:read", args=[row.pk])).status_code == 405


def test_mark_all_read_touches_only_mine(customer_client, customer, agent):
    panel(customer, 3)
    panel(agent, 2)
    response = customer_client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=customer, read_at=None).exists()
    assert Notification.objects.filter(recipient=agent, read_at=None).count() == 2


# --- preferences ------------------------------------------------------------------------------------------------


def test_preferences_page_shows_the_defaults(customer_client, customer):
    customer.notify_sms = False
    customer.save()
    soup = BeautifulSoup(customer_client.get(reverse("notifications:preferences")).content, "html.parser")
    assert soup.select_one("input[name=reply__email]").has_attr("checked")
    assert not soup.select_one("input[name=reply__sms]").has_attr("checked")
    assert soup.select_one("input[name=limits__panel]") is not None
    assert soup.select_one("input[name=note__email]") is None  # customers never get notes


def test_saving_preferences_stores_each_group(customer_client, customer):
    response = customer_client.post(reverse("notifications:preferences"), {"reply__email": "on", "status__sms": "on"})
    assert response.status_code == 302
    prefs = {p.group: (p.email, p.sms, p.panel) for p in NotificationPreference.objects.filter(user=customer)}
    assert prefs["reply"] == (True, False, False)
    assert prefs["status"] == (False, True, False)
    assert prefs["new_ticket"] == (False, False, False)
    assert "note" not in prefs  # a customer cannot store staff-only groups, even by posting them


def test_posting_a_staff_group_as_a_customer_changes_nothing_of_it(customer_client, customer):
    customer_client.post(reverse("notifications:preferences"), {"note__email": "on", "sla__sms": "on"})
    assert not NotificationPreference.objects.filter(user=customer, group__in=["note", "sla"]).exists()


def test_staff_see_their_groups(client, agent):
    client.force_login(agent)
    soup = BeautifulSoup(client.get(reverse("notifications:preferences")).content, "html.parser")
    assert soup.select_one("input[name=note__email]") is not None
    assert soup.select_one("input[name=sla__panel]") is not None
    assert soup.select_one("input[name=limits__panel]") is None


def test_preferences_warn_about_missing_addresses(client):
    user = CustomerFactory(mobile=None)
    client.force_login(user)
    html = client.get(reverse("notifications:preferences")).content.decode()
    assert 'class="alert alert-info"' in html


def test_preferences_need_login(client):
    assert client.get(reverse("notifications:preferences")).status_code == 302


# --- admin ------------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, site_admin):
    client.force_login(site_admin)
    return client


def test_outbox_admin_lists_and_filters(admin_client, customer):
    Notification.objects.create(
        recipient=customer,
        channel=C.SMS,
        kind="created",
        state=S.PARKED,
        last_error="[418] اعتبار حساب شما کافی نیست",
        subject="پیامک",
    )
    Notification.objects.create(
        recipient=customer,
        channel=C.EMAIL,
        kind="created",
        state=S.SENT,
        last_error="[503] earlier failure",
        subject="ایمیل",
    )
    url = reverse("admin:notifications_notification_changelist")
    html = admin_client.get(url, {"state__exact": "parked"}).content.decode()
    assert "[۴۱۸]" in html and "[۵۰۳]" not in html  # the Persian admin writes every digit in Persian
    assert admin_client.get(url, {"q": customer.mobile}).status_code == 200
    assert admin_client.get(url, {"channel__exact": "sms", "kind": "created"}).status_code == 200


def test_outbox_admin_finds_the_rows_about_a_ticket_by_its_reference(admin_client, customer):
    panel(customer, link="/tickets/1234567/")
    panel(customer, link="/tickets/7654321/")
    Notification.objects.filter(link="/tickets/1234567/").update(subject="درباره درخواست اول")
    html = admin_client.get(reverse("admin:notifications_notification_changelist"), {"q": "1234567"}).content.decode()
    assert "درباره درخواست اول" in html and "اعلان 0" not in html


def test_send_again_requeues_failed_parked_and_uncertain_rows_only(
    admin_client, customer, django_capture_on_commit_callbacks
):
    parked = Notification.objects.create(
        recipient=customer,
        channel=C.SMS,
        kind="created",
        state=S.PARKED,
        address=customer.mobile,
        body="متن",
        last_error="[418]",
        attempts=1,
    )
    sent = Notification.objects.create(
        recipient=customer, channel=C.SMS, kind="created", state=S.SENT, address=customer.mobile, body="متن"
    )
    uncertain = Notification.objects.create(
        recipient=customer,
        channel=C.EMAIL,
        kind="created",
        state=S.UNCERTAIN,
        address=customer.email,
        subject="ایمیل",
        body="متن",
        provider_message_id="<t1@helpdesk.example.com>",
        last_error="interrupted while sending; it may or may not have been delivered",
        attempts=1,
    )
    DeliveryAlert.objects.create(key="sms", reason="[418]")
    url = reverse("admin:notifications_notification_changelist")
    html = admin_client.get(url, {"state__exact": "uncertain"}).content.decode()
    assert "نامعلوم" in html and "&lt;t1@helpdesk.example.com&gt;" in html  # the state and its Message-ID
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: delivered in-process
        response = admin_client.post(
            url, {"action": "send_again", "_selected_action": [parked.pk, sent.pk, uncertain.pk]}
        )
    assert response.status_code == 302
    parked.refresh_from_db()
    sent.refresh_from_db()
    uncertain.refresh_from_db()
    assert parked.state == S.SENT and parked.last_error == "" and parked.attempts == 2
    assert sent.attempts == 0
    assert uncertain.state == S.SENT and uncertain.attempts == 2
    (resent,) = [m for m in mail.outbox if m.to == [customer.email]]
    assert resent.extra_headers["Message-ID"] == "<t1@helpdesk.example.com>"  # the same message, deliberately again
    assert not DeliveryAlert.objects.filter(cleared_at=None).exists()


def test_a_cleared_alert_can_be_raised_again(site_admin):
    assert outbox.alert_raise(channel="sms", state=S.PARKED, reason="[418] no credit")
    assert not outbox.alert_raise(channel="sms", state=S.PARKED, reason="[418] no credit")
    outbox.alert_clear(channel="sms")
    assert outbox.alert_raise(channel="sms", state=S.PARKED, reason="[403] bad key")
    assert Notification.objects.filter(kind=outbox.ALERT_KIND, channel=C.PANEL).count() == 2


def test_an_outage_alerts_once_apart_from_a_parked_channel_and_the_next_success_clears_both(site_admin):
    assert outbox.alert_raise(channel="sms", state=S.PARKED, reason="[418] no credit")
    assert outbox.alert_raise(channel="sms", state=S.FAILED, reason="HTTP 500")
    assert not outbox.alert_raise(channel="sms", state=S.FAILED, reason="HTTP 502")  # the same outage
    assert sorted(DeliveryAlert.objects.filter(cleared_at=None).values_list("key", flat=True)) == ["sms", "sms.failed"]
    (gave_up,) = Notification.objects.filter(kind=outbox.GAVE_UP_KIND, channel=C.PANEL)
    assert "HTTP 500" in gave_up.body and "?state__exact=failed&channel__exact=sms" in gave_up.link
    assert outbox.alert_clear(channel="sms") == 2
    assert outbox.alert_clear(channel="email") == 0


def test_outbox_admin_is_read_only(admin_client, customer):
    row = Notification.objects.create(recipient=customer, channel=C.SMS, kind="created", subject="x")
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403
    html = admin_client.get(reverse("admin:notifications_notification_change", args=[row.pk])).content.decode()
    assert 'name="subject"' not in html

"""The notification tables move from `helpdesk` to this app without losing a row (helpdesk 0004–0007,
notifications 0001–0002): the database is migrated back to the state before the move, filled with the historical
models exactly as the code of that time wrote it, and migrated forward again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import DeliveryAlert, Notification, NotificationPreference
from notifications.tokens import target_id_from_address
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("helpdesk", "0003_notifications"), ("notifications", None)]
THREAD = "<first@mail.example.org>"


def migrate(targets=None):
    """Migrate to `targets` (default: every app's latest migration); the historical apps of that state."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(targets or leaves)
    moved = {app for app, _name in targets or ()}
    state = [node for node in leaves if node[0] not in moved] + [node for node in targets or () if node[1]]
    return executor.loader.project_state(state).apps


def fill(apps) -> dict:
    """Rows as the code before the move wrote them: a ticket that came by email, its `created` event, notifications
    on every channel in several states, one without an event (an admin alert), preferences, delivery alerts, and a
    role group holding a permission of the notification models."""
    User = apps.get_model("accounts", "User")
    Department = apps.get_model("tickets", "Department")
    Ticket = apps.get_model("tickets", "Ticket")
    Message = apps.get_model("tickets", "Message")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    Notification = apps.get_model("helpdesk", "Notification")
    Preference = apps.get_model("helpdesk", "NotificationPreference")
    DeliveryAlert = apps.get_model("helpdesk", "DeliveryAlert")
    Permission = apps.get_model("auth", "Permission")
    GroupModel = apps.get_model("auth", "Group")

    customer = User.objects.create(full_name="مریم کاظمی", email="maryam@example.com", mobile="09121110000")
    admin = User.objects.create(full_name="مدیر", email="admin@example.com", role="admin", is_superuser=True)
    department = Department.objects.create(name="پشتیبانی فنی")
    ticket = Ticket.objects.create(
        reference="1404123", subject="چاپگر کار نمی‌کند", requester=customer, department=department, channel="email"
    )
    other = Ticket.objects.create(reference="1404124", subject="دومی", requester=customer, department=department)
    Message.objects.create(ticket=ticket, author=customer, body="از دیروز", channel="email", message_id=THREAD)
    event = TicketEvent.objects.create(ticket=ticket, kind="created", actor=customer, data={"channel": "email"})
    other_event = TicketEvent.objects.create(ticket=other, kind="created", actor=customer, data={})
    now = timezone.now().replace(microsecond=0)
    common = {"recipient": customer, "kind": "created", "link": f"/tickets/{ticket.reference}/"}
    email = {"channel": "email", "address": customer.email, "html": "<p>سلام</p>", "body": "سلام"}
    rows = {
        "email_pending": Notification.objects.create(
            **common,
            **email,
            event=event,
            subject="[#1404123] درخواست شما دریافت شد",
            provider_message_id="<1.t1404123@helpdesk.example.com>",
            created_at=now,
            touched_at=now,
        ),
        "email_failed": Notification.objects.create(
            **common,
            **email,
            event=other_event,
            subject="[#1404124] دومی",
            state="failed",
            attempts=6,
            last_error="gave up after 6 attempts: [503]",
            provider_message_id="<2.t1404124@helpdesk.example.com>",
            created_at=now - timedelta(hours=2),
            touched_at=now - timedelta(hours=1),
        ),
        "email_sent": Notification.objects.create(
            recipient=admin,
            kind="created",
            link=common["link"],
            channel="email",
            address=admin.email,
            event=event,
            subject="[#1404123] درخواست تازه",
            body="متن",
            state="sent",
            attempts=1,
            provider_message_id="<3.t1404123@helpdesk.example.com>",
            sent_at=now,
            created_at=now,
            touched_at=now,
        ),
        "sms_parked": Notification.objects.create(
            **common,
            channel="sms",
            address=customer.mobile,
            event=event,
            subject="درخواست شما دریافت شد",
            body="میز خدمت: …",
            state="parked",
            attempts=1,
            last_error="[418] اعتبار حساب شما کافی نیست",
            created_at=now,
            touched_at=now,
        ),
        "sms_sent": Notification.objects.create(
            **common,
            channel="sms",
            address=customer.mobile,
            event=other_event,
            subject="دومی",
            body="…",
            state="sent",
            attempts=2,
            provider_message_id="123456789",
            sent_at=now,
            created_at=now,
            touched_at=now,
        ),
        "panel_read": Notification.objects.create(
            **common,
            channel="panel",
            event=event,
            subject="درخواست شما دریافت شد: چاپگر",
            body="متن",
            state="sent",
            sent_at=now,
            read_at=now,
            created_at=now,
            touched_at=now,
        ),
        "panel_alert": Notification.objects.create(
            recipient=admin,
            channel="panel",
            kind="delivery_parked",
            subject="اعلان‌ها متوقف شده‌اند",
            body="…",
            link="/admin/helpdesk/notification/?state__exact=parked",
            state="sent",
            sent_at=now,
            created_at=now,
            touched_at=now,
        ),
        "email_alert": Notification.objects.create(
            recipient=admin,
            channel="email",
            kind="delivery_parked",
            address=admin.email,
            subject="اعلان‌ها متوقف شده‌اند",
            body="https://helpdesk.example.com/admin/helpdesk/notification/?state__exact=parked",
            html='<a href="https://helpdesk.example.com/admin/helpdesk/notification/?state__exact=parked">',
            link="/admin/helpdesk/notification/?state__exact=parked",
            provider_message_id="<4.tn@helpdesk.example.com>",
            created_at=now,
            touched_at=now,
        ),
    }
    Preference.objects.create(user=customer, group="reply", email=True, sms=False, panel=False)
    Preference.objects.create(user=admin, group="sla", email=False, sms=True, panel=True)
    DeliveryAlert.objects.create(key="sms", reason="[418] اعتبار حساب شما کافی نیست", raised_at=now)
    DeliveryAlert.objects.create(key="email", reason="[401]", raised_at=now - timedelta(days=1), cleared_at=now)
    permission = Permission.objects.get(content_type__app_label="helpdesk", codename="change_notification")
    GroupModel.objects.create(name="Outbox keepers").permissions.add(permission)
    snapshot = {
        name: {f.attname: getattr(row, f.attname) for f in Notification._meta.concrete_fields}
        for name, row in rows.items()
    }
    return {"rows": snapshot, "ticket": ticket.pk, "other": other.pk, "event": event.pk, "other_event": other_event.pk}


@pytest.fixture
def before_the_move(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@inbound.example.com"
    settings.MAIL_ID_DOMAIN = "helpdesk.example.com"
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate()  # whatever happened, the next tests find the latest schema
        ContentType.objects.clear_cache()


def test_every_row_and_field_survives_the_move(before_the_move):
    filled = fill(before_the_move)
    migrate()
    ContentType.objects.clear_cache()

    tables = connection.introspection.table_names()
    assert {"notifications_notification", "notifications_notificationpreference"} <= set(tables)
    assert "notifications_deliveryalert" in tables and "helpdesk_notification" not in tables
    ticket_type = ContentType.objects.get_for_model(Ticket)
    event_type = ContentType.objects.get_for_model(TicketEvent)
    assert Notification.objects.count() == len(filled["rows"])
    for name, before in filled["rows"].items():
        row = Notification.objects.get(pk=before["id"])
        after = {f.attname: getattr(row, f.attname) for f in Notification._meta.concrete_fields}
        event_id = before.pop("event_id")
        if name.endswith("_alert"):  # the admin's outbox page moved with the app
            for text in ("link", "body", "html"):
                expected = before[text].replace("/admin/helpdesk/", "/admin/notifications/")
                assert after[text] == expected and "/admin/helpdesk/" not in after[text], (name, text)
                before[text] = expected
        moved = {"source_type_id", "source_id", "target_type_id", "target_id", "reply_to", "thread_id"}
        added = {"due_at", "first_attempt_at", "handed_over_at"}  # by 0003 (its own test below)
        assert after.pop("confidential") is False, name  # by 0006: these are ticket messages, not account ones
        assert {k: v for k, v in after.items() if k not in moved | added} == before, name
        if event_id is None:
            assert (row.source_id, row.target_id, row.reply_to, row.thread_id) == (None, None, "", ""), name
            continue
        ticket_id = filled["ticket"] if event_id == filled["event"] else filled["other"]
        assert (row.source_type_id, row.source_id) == (event_type.pk, event_id), name
        assert (row.target_type_id, row.target_id) == (ticket_type.pk, ticket_id), name
        assert row.source == TicketEvent.objects.get(pk=event_id), name

    # Emails that may still go out read like new ones: Reply-To to their ticket, the ticket's email thread.
    pending = Notification.objects.get(pk=filled["rows"]["email_pending"]["id"])
    assert target_id_from_address(pending.reply_to) == filled["ticket"] and pending.thread_id == THREAD
    failed = Notification.objects.get(pk=filled["rows"]["email_failed"]["id"])
    assert target_id_from_address(failed.reply_to) == filled["other"]
    assert failed.thread_id == "<ticket.1404124@helpdesk.example.com>"
    sent = Notification.objects.get(pk=filled["rows"]["email_sent"]["id"])
    assert (sent.reply_to, sent.thread_id) == ("", "")
    assert set(TicketEvent.objects.get(pk=filled["event"]).notifications.values_list("channel", flat=True)) == {
        "email",
        "sms",
        "panel",
    }

    prefs = {(p.user.email, p.group): (p.email, p.sms, p.panel) for p in NotificationPreference.objects.all()}
    assert prefs == {
        ("maryam@example.com", "reply"): (True, False, False),
        ("admin@example.com", "sla"): (False, True, True),
    }
    alerts = {a.key: a.cleared_at is None for a in DeliveryAlert.objects.all()}
    assert alerts == {"sms": True, "email": False}

    # The content types moved with the models, so a group's permission on them is still there.
    for model in ("notification", "notificationpreference", "deliveryalert"):
        assert not ContentType.objects.filter(app_label="helpdesk", model=model).exists()
    assert Group.objects.get(name="Outbox keepers").permissions.get().content_type.app_label == "notifications"
    assert {p.codename for p in Group.objects.get(name="Outbox keepers").permissions.all()} == {"change_notification"}


# --- 0003: leases, due times and the uncertain state ----------------------------------------------------------------

BEFORE_LEASES = [("notifications", "0002_table_names")]


@pytest.fixture
def before_the_leases():
    apps = migrate(BEFORE_LEASES)
    try:
        yield apps
    finally:
        migrate()
        ContentType.objects.clear_cache()


def test_rows_of_the_old_delivery_get_due_times_and_interrupted_emails_become_uncertain(before_the_leases):
    """What the code before 0003 left: a pending row (due at the sweep 300 s after its last move), rows sending
    (recovered 900 s after their claim; they may have been handed over), and an email the old sweep marked failed
    because its worker died although it may have been delivered."""
    User = before_the_leases.get_model("accounts", "User")
    Old = before_the_leases.get_model("notifications", "Notification")
    customer = User.objects.create(full_name="مریم کاظمی", email="maryam@example.com", mobile="09121110000")
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=3)
    common = {"recipient": customer, "kind": "created", "subject": "s", "body": "b", "touched_at": at}
    interrupted = "interrupted while sending; it may or may not have been delivered (use «send again» to resend)"
    ids = {
        "pending": Old.objects.create(**common, channel="sms"),
        "sending_sms": Old.objects.create(**common, channel="sms", state="sending", attempts=1),
        "sending_email": Old.objects.create(**common, channel="email", state="sending", attempts=1),
        "interrupted": Old.objects.create(**common, channel="email", state="failed", last_error=interrupted),
        "refused": Old.objects.create(**common, channel="email", state="failed", last_error="[422] bad address"),
        "sent": Old.objects.create(**common, channel="email", state="sent"),
    }
    migrate()
    rows = {name: Notification.objects.get(pk=row.pk) for name, row in ids.items()}
    assert rows["pending"].due_at == at + timedelta(seconds=300)
    for name in ("sending_sms", "sending_email"):
        assert rows[name].state == "sending"
        assert (rows[name].due_at, rows[name].handed_over_at) == (at + timedelta(seconds=900), at)
    assert rows["interrupted"].state == "uncertain" and rows["interrupted"].last_error == interrupted
    assert rows["refused"].state == "failed"
    assert rows["sent"].due_at == at and rows["sent"].first_attempt_at is None
    # The sweep of the new code takes an old sending email back as uncertain, never sends it again by itself.
    from notifications import outbox

    outbox.sweep(now=at + timedelta(seconds=901))
    assert Notification.objects.get(pk=ids["sending_email"].pk).state == "uncertain"
    assert Notification.objects.get(pk=ids["sending_sms"].pk).state == "sent"  # eager here: sent at once

    migrate(BEFORE_LEASES)  # and back: the old code knew no uncertain state
    assert Old.objects.get(pk=ids["interrupted"].pk).state == "failed"


# --- 0006: account messages are confidential ---------------------------------------------------------------------

BEFORE_CONFIDENTIAL = [("notifications", "0005_notification_recipient_optional")]


@pytest.fixture
def before_the_flag():
    apps = migrate(BEFORE_CONFIDENTIAL)
    try:
        yield apps
    finally:
        migrate()
        ContentType.objects.clear_cache()


def test_account_messages_written_before_the_flag_are_masked(before_the_flag):
    Old = before_the_flag.get_model("notifications", "Notification")
    ids = {
        kind: Old.objects.create(channel="sms", kind=kind, address="09121110000", body="کد: ۱۲۳۴۵۶").pk
        for kind in ("signup_code", "password_reset", "created")
    }
    migrate()
    flags = {kind: Notification.objects.get(pk=pk).confidential for kind, pk in ids.items()}
    assert flags == {"signup_code": True, "password_reset": True, "created": False}

"""The tickets app's notifications (`tickets/notifications.py`): who hears about what, on which channels, in which
words (F20, G4, B3), and what their emails need to be answered and threaded. Data through the real services; the
rows are inspected as `notify` wrote them inside the service's transaction."""

from __future__ import annotations

import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import translation

from accounts.tests.factories import CustomerFactory
from helpdesk.persian import to_persian_digits
from helpdesk.sms import backends as sms_backends
from notifications import channels, render
from notifications.models import Notification, NotificationPreference
from notifications.outbox import notify
from notifications.preferences import preferences_save
from notifications.selectors import target_id_for_message_id
from notifications.tokens import target_id_from_address
from tickets import events, services
from tickets import notifications as ticket_notifications
from tickets.models import Channel, Message, Status, Ticket, TicketEvent
from tickets.tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notifications_env")]

C = Notification.Channel


def who(ticket_or_event, channel=C.PANEL) -> dict[int, str]:
    """{recipient id: kind} of the rows about a ticket (or one event) on one channel."""
    rows = Notification.objects.filter(channel=channel)
    if isinstance(ticket_or_event, TicketEvent):
        rows = rows.filter(event=ticket_or_event)
    else:
        rows = rows.filter(event__ticket=ticket_or_event)
    return dict(rows.values_list("recipient_id", "kind"))


def last_event(ticket, kind: str | None = None) -> TicketEvent:
    rows = ticket.events.filter(kind=kind) if kind else ticket.events.all()
    return rows.order_by("-pk").first()


def test_new_ticket_acknowledges_the_requester_and_alerts_the_department(
    make_ticket, customer, agent, teammate, supervisor
):
    ticket = make_ticket()
    assert who(ticket) == {customer.pk: "created", agent.pk: "created", teammate.pk: "created"}
    # Every channel the customer has: email, SMS and panel.
    assert set(Notification.objects.filter(recipient=customer).values_list("channel", flat=True)) == {
        C.EMAIL,
        C.SMS,
        C.PANEL,
    }
    ack = Notification.objects.get(recipient=customer, channel=C.SMS)
    assert ack.address == customer.mobile and ack.state == Notification.State.PENDING
    assert to_persian_digits(ticket.reference) in ack.body  # the tracking number, in Persian digits
    assert f"https://helpdesk.example.com/tickets/{ticket.reference}/" in ack.body
    alert = Notification.objects.get(recipient=agent, channel=C.EMAIL)
    assert alert.subject.startswith(f"[#{ticket.reference}] ")
    assert "از دیروز چاپگر" in alert.body  # the staff alert quotes the request


def test_panel_rows_are_delivered_by_being_written(make_ticket, customer):
    ticket = make_ticket()
    panel = Notification.objects.get(event__ticket=ticket, recipient=customer, channel=C.PANEL)
    assert panel.state == Notification.State.SENT and panel.sent_at and panel.read_at is None
    assert panel.link == f"/tickets/{ticket.reference}/"


def test_staff_filing_for_a_customer_is_not_told_of_it(make_ticket, customer, agent, teammate):
    ticket = make_ticket(created_by=agent, channel=Channel.STAFF)
    assert who(ticket) == {customer.pk: "created", teammate.pk: "created"}


def test_internal_ticket_goes_to_the_addressed_agent_only(make_ticket, agent, teammate, customer):
    ticket = make_ticket(requester=agent, created_by=agent, is_internal=True, assignee=teammate, channel=Channel.STAFF)
    assert who(ticket) == {teammate.pk: "created"}


def test_internal_ticket_without_agent_goes_to_the_department(make_ticket, agent, teammate):
    ticket = make_ticket(requester=agent, created_by=agent, is_internal=True, channel=Channel.STAFF)
    assert who(ticket) == {teammate.pk: "created"}


def test_staff_reply_reaches_the_requester_and_followers(make_ticket, customer, agent, teammate):
    ticket = make_ticket()
    follower = CustomerFactory(organisation=None)
    ticket.followers.add(follower, teammate)
    services.reply_add(ticket=ticket, author=agent, body="لطفاً چاپگر را خاموش و روشن کنید.")
    event = last_event(ticket, "replied")
    assert who(event) == {customer.pk: "replied", follower.pk: "replied", teammate.pk: "replied"}
    text = Notification.objects.get(event=event, recipient=customer, channel=C.EMAIL).body
    assert "لطفاً چاپگر را خاموش و روشن کنید." in text


def test_customer_reply_reaches_the_assignee_or_else_the_department(make_ticket, customer, agent, teammate):
    ticket = make_ticket()
    services.reply_add(ticket=ticket, author=customer, body="هنوز درست نشده است.")
    assert who(last_event(ticket, "replied")) == {agent.pk: "replied", teammate.pk: "replied"}
    services.ticket_assign(ticket=ticket, agent=agent, actor=teammate)
    services.reply_add(ticket=ticket, author=customer, body="منتظرم.")
    assert who(last_event(ticket, "replied")) == {agent.pk: "replied"}


def test_notes_never_reach_customers(make_ticket, customer, agent, teammate):
    ticket = make_ticket()
    services.ticket_assign(ticket=ticket, agent=teammate, actor=agent)
    ticket.followers.add(customer)
    services.note_add(ticket=ticket, author=agent, body="مشتری قبلاً هم همین مشکل را داشته.")
    event = last_event(ticket)
    assert who(event) == {teammate.pk: "noted"}
    assert not Notification.objects.filter(event=event, recipient=customer).exists()


def test_assignment_tells_the_new_assignee_unless_they_took_it(make_ticket, agent, teammate, customer):
    ticket = make_ticket()
    services.ticket_assign(ticket=ticket, agent=teammate, actor=agent)
    assert who(last_event(ticket)) == {teammate.pk: "assigned"}
    services.ticket_assign(ticket=ticket, agent=agent, actor=agent)  # "take it"
    assert who(last_event(ticket)) == {}


def test_transfer_tells_the_new_department_or_agent(make_ticket, agent, customer):
    ticket = make_ticket()
    other_a, other_b = CustomerFactory(role="agent"), CustomerFactory(role="agent")
    billing = DepartmentFactory(name="مالی", members=[other_a, other_b])
    services.ticket_transfer(ticket=ticket, department=billing, actor=agent, note="مربوط به صورتحساب است")
    assert who(last_event(ticket)) == {other_a.pk: "transferred", other_b.pk: "transferred"}
    services.ticket_transfer(ticket=ticket, department=billing, agent=other_b, actor=other_a)
    assert who(last_event(ticket)) == {other_b.pk: "transferred"}


def test_status_change_tells_the_requester(make_ticket, customer, agent):
    ticket = make_ticket()
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    event = last_event(ticket)
    assert who(event) == {customer.pk: "status"}
    sms = Notification.objects.get(event=event, channel=C.SMS)
    assert to_persian_digits(ticket.reference) in sms.body


def test_the_customer_closing_their_own_ticket_hears_nothing(make_ticket, customer):
    ticket = make_ticket()
    services.ticket_close(ticket=ticket, actor=customer)
    assert who(last_event(ticket)) == {}


def test_staff_only_events_reach_no_one(make_ticket, agent, priority):
    ticket = make_ticket()
    services.ticket_set_pinned(ticket=ticket, pinned=True, actor=agent)
    assert Notification.objects.filter(event=last_event(ticket)).count() == 0


def test_limits_events_go_to_the_seller(make_ticket, customer, agent):
    ticket = make_ticket()
    if events.get_kind("limits_under_review") is None:
        pytest.fail("the limits app registers its event kinds")
    event = events.record(ticket=ticket, kind="limits_under_review", actor=agent, data={})
    notify(event)
    assert who(event) == {customer.pk: "limits_under_review"}
    seller_event = events.record(ticket=ticket, kind="limits_withdrawn", actor=customer, data={})
    notify(seller_event)
    assert who(seller_event) == {}  # their own action


def test_sla_kinds_have_a_hook(make_ticket, agent, teammate, supervisor):
    ticket = make_ticket()
    breach = TicketEvent.objects.create(ticket=ticket, kind="sla_breach", data={})
    notify(breach)
    assert who(breach) == {supervisor.pk: "sla_breach"}  # unassigned: the department's supervisors
    named = TicketEvent.objects.create(ticket=ticket, kind="escalated", data={"recipients": [teammate.pk]})
    notify(named)
    assert who(named) == {teammate.pk: "escalated"}


def test_preferences_per_group_override_the_general_flags(make_ticket, customer, agent):
    preferences_save(user=customer, table={ticket_notifications.REPLY: {"email": True, "sms": False, "panel": False}})
    ticket = make_ticket()
    # New-ticket group: no stored choice, so the general flags (all on).
    assert Notification.objects.filter(event=last_event(ticket), recipient=customer).count() == 3
    services.reply_add(ticket=ticket, author=agent, body="پاسخ")
    channels = Notification.objects.filter(event=last_event(ticket, "replied"), recipient=customer).values_list(
        "channel", flat=True
    )
    assert list(channels) == [C.EMAIL]


def test_general_flags_and_missing_addresses(make_ticket, customer, agent, teammate):
    customer.notify_sms = False
    customer.save()
    teammate.mobile = None
    teammate.email = "sara@example.com"
    teammate.save()
    ticket = make_ticket()
    assert set(Notification.objects.filter(recipient=customer).values_list("channel", flat=True)) == {C.EMAIL, C.PANEL}
    assert set(Notification.objects.filter(recipient=teammate).values_list("channel", flat=True)) == {C.EMAIL, C.PANEL}
    agent.notify_email = agent.notify_sms = agent.notify_panel = False
    agent.save()
    services.reply_add(ticket=ticket, author=customer, body="سلام")
    assert agent.pk not in who(last_event(ticket, "replied"))


def test_saving_preferences_refuses_unknown_groups(customer):
    with pytest.raises(ValueError):
        preferences_save(user=customer, table={"everything": {"email": True}})
    assert not NotificationPreference.objects.exists()


def test_each_recipient_reads_their_own_language(make_ticket, customer, agent):
    agent.language = "en"
    agent.save()
    ticket = make_ticket()
    english = Notification.objects.get(recipient=agent, channel=C.EMAIL)
    assert english.subject == f"[#{ticket.reference}] New ticket: {ticket.subject}"
    assert 'lang="en"' in english.html and 'dir="ltr"' in english.html
    persian = Notification.objects.get(recipient=customer, channel=C.EMAIL)
    assert 'lang="fa"' in persian.html and 'dir="rtl"' in persian.html
    assert translation.get_language() == "fa"  # the override did not leak


def test_notifying_twice_is_refused_by_the_database_and_fails_the_caller(make_ticket):
    """One row per event, recipient and channel (a unique constraint). A second `notify` of the same event is a bug:
    it fails loudly, with the caller's change, instead of being swallowed."""
    from django.db import IntegrityError, transaction

    ticket = make_ticket()
    event = ticket.events.get(kind="created")
    count = Notification.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        notify(event)
    assert Notification.objects.count() == count


def test_a_rendering_fault_costs_the_ticket_nothing_and_leaves_failed_rows_with_the_reason(
    make_ticket, monkeypatch, caplog, customer
):
    def broken(*args, **kwargs):
        raise RuntimeError("template bug")

    monkeypatch.setattr(render, "email_parts", broken)
    with caplog.at_level(logging.ERROR, logger="notifications"):
        ticket = make_ticket()
    assert ticket.pk and ticket.events.filter(kind="created").exists()
    rows = Notification.objects.filter(event__ticket=ticket)
    emails = rows.filter(channel=C.EMAIL)
    assert customer.pk in emails.values_list("recipient_id", flat=True) and emails.count() > 1  # nobody dropped
    for row in emails:
        assert row.state == Notification.State.FAILED
        assert row.last_error == "the message could not be rendered: RuntimeError: template bug"
        assert row.address == row.recipient.email
    assert set(rows.exclude(channel=C.EMAIL).values_list("state", flat=True)) <= {"pending", "sent"}  # SMS, panel
    assert rows.filter(recipient=customer, channel=C.SMS).get().state == Notification.State.PENDING
    assert "template bug" in caplog.text


def test_a_broken_registration_fails_every_recipients_rows_not_the_change(make_ticket, monkeypatch, customer):
    from notifications import registry

    kind = registry.kind_for("created")

    def content(event):
        raise KeyError("missing")

    monkeypatch.setitem(registry._KINDS, "created", registry.Kind(kind.group, kind.recipients, content))
    ticket = make_ticket()
    rows = Notification.objects.filter(event__ticket=ticket)
    assert rows.exists() and set(rows.values_list("state", flat=True)) == {Notification.State.FAILED}
    assert set(rows.values_list("last_error", flat=True)) == {"the message could not be rendered: KeyError: 'missing'"}
    assert not Notification.objects.filter(recipient=customer, channel=C.PANEL, state="sent").exists()


def test_a_database_error_while_writing_the_rows_fails_the_change(make_ticket, monkeypatch):
    """The outbox is part of the change: if its rows cannot be written, nothing is kept (acknowledged = stored)."""
    from django.db import OperationalError, transaction

    from tickets.models import Ticket

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Notification.objects, "bulk_create", lost)
    with pytest.raises(OperationalError), transaction.atomic():
        make_ticket(subject="گم نمی‌شود")
    assert not Ticket.objects.filter(subject="گم نمی‌شود").exists()


def test_without_a_broker_tasks_run_in_process_after_commit(make_ticket, customer, django_capture_on_commit_callbacks):
    """Development (`CELERY_TASK_ALWAYS_EAGER`): the rows are delivered right after the commit, in-process."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    rows = Notification.objects.filter(event__ticket=ticket)
    assert set(rows.values_list("state", flat=True)) == {Notification.State.SENT}
    assert customer.email in [m.to[0] for m in mail.outbox]
    assert customer.mobile in [m["to"] for m in sms_backends.outbox]


def test_rows_are_written_in_the_changes_transaction_and_sent_only_after_commit(
    make_ticket, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from tickets.models import Ticket

    with django_capture_on_commit_callbacks() as callbacks:  # the commit hasn't happened: nothing runs
        ticket = make_ticket()
    rows = Notification.objects.filter(event__ticket=ticket).exclude(channel=C.PANEL)
    assert {C.EMAIL, C.SMS} <= set(rows.values_list("channel", flat=True))
    assert set(rows.values_list("state", flat=True)) == {Notification.State.PENDING}
    assert callbacks and mail.outbox == [] and sms_backends.outbox == []  # delivery waits for the commit

    # The change rolls back: its notifications go with it, and nothing is queued.
    written = Notification.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(subject="برگشت می‌خورد")
        assert Notification.objects.count() > written  # written inside the change's transaction
        raise RuntimeError("the change fails after notify")
    assert not Ticket.objects.filter(subject="برگشت می‌خورد").exists()
    assert Notification.objects.count() == written
    assert callbacks == []


def test_notify_costs_the_same_queries_for_one_or_many_recipients(make_ticket, department, customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.tests.factories import AgentFactory

    def queries_for_a_reply() -> int:
        ticket = make_ticket()
        event = events.record(ticket=ticket, kind="replied", actor=customer, data={"message": ticket.messages.get().pk})
        with CaptureQueriesContext(connection) as captured:
            notify(event)
        return len(captured.captured_queries)

    few = queries_for_a_reply()
    department.members.add(*AgentFactory.create_batch(10))
    many = queries_for_a_reply()
    assert Notification.objects.filter(kind="replied").count() > 20
    assert many == few


# --- what the emails about a ticket carry -------------------------------------------------------------------------


def test_the_rows_are_about_the_ticket_and_caused_by_the_event(make_ticket, customer):
    ticket = make_ticket()
    event = ticket.events.get(kind="created")
    rows = list(Notification.objects.filter(recipient=customer))
    assert len(rows) == 3
    ticket_type = ContentType.objects.get_for_model(Ticket)
    assert {(row.target_type_id, row.target_id) for row in rows} == {(ticket_type.pk, ticket.pk)}
    assert {row.target for row in rows} == {ticket}
    assert {row.source for row in rows} == {event}
    assert set(rows) <= set(event.notifications.all())


def test_an_email_carries_its_reply_to_and_thread(make_ticket, customer):
    ticket = make_ticket()
    row = Notification.objects.get(recipient=customer, channel=C.EMAIL)
    assert target_id_from_address(row.reply_to) == ticket.pk
    assert row.thread_id == f"<ticket.{ticket.reference}@helpdesk.example.com>"
    assert row.subject.startswith(f"[#{ticket.reference}] ")
    message = channels.build_email(row)
    assert message.reply_to == [row.reply_to]
    assert message.extra_headers["In-Reply-To"] == message.extra_headers["References"] == row.thread_id
    assert "پاسخ دادن به همین" in row.body  # "you can answer by replying to this email"


def test_without_an_inbound_address_there_is_no_reply_to(settings, make_ticket, customer):
    settings.INBOUND_EMAIL_ADDRESS = ""
    make_ticket()
    row = Notification.objects.get(recipient=customer, channel=Notification.Channel.EMAIL)
    message = channels.build_email(row)
    assert row.reply_to == "" and message.reply_to == []
    assert "replying to this email" not in row.body and "پاسخ دادن به همین" not in row.body


def test_thread_root_is_the_first_email_when_the_ticket_came_by_email(make_ticket, customer):
    ticket = make_ticket(message_id="<abc@mail.example.org>", channel="email", created_by=None)
    row = Notification.objects.get(recipient=customer, channel=Notification.Channel.EMAIL)
    message = channels.build_email(row)
    assert message.extra_headers["In-Reply-To"] == "<abc@mail.example.org>"
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_message_ids_are_unique_and_lead_back_to_the_ticket(make_ticket, customer, teammate):
    first, second = make_ticket(), make_ticket(subject="دومی")
    ids = list(Notification.objects.filter(channel="email").values_list("provider_message_id", flat=True))
    assert len(ids) == len(set(ids)) == 6
    row = Notification.objects.get(event__ticket=second, recipient=customer, channel="email")
    assert target_id_for_message_id(message_id=row.provider_message_id, model=Ticket) == second.pk
    assert target_id_for_message_id(message_id="<unknown@x>", model=Ticket) is None
    assert target_id_for_message_id(message_id=row.provider_message_id, model=TicketEvent) is None  # not about one
    assert first.pk != second.pk


def test_deleting_a_ticket_deletes_its_notifications(make_ticket, customer):
    ticket = make_ticket()
    other = make_ticket(subject="دومی")
    assert Notification.objects.filter(event__ticket=ticket).exists()
    ticket.delete()
    assert not Notification.objects.filter(target_id=ticket.pk, target_type__model="ticket").exists()
    assert Notification.objects.filter(event__ticket=other).count() == Notification.objects.count()

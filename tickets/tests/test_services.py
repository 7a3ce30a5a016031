"""The ticket services: validation, writes, events and the notify call."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from accounts.tests.factories import AgentFactory, CustomerFactory, ManagerFactory
from helpdesk.persian import normalize
from tickets import services
from tickets.models import Attachment, Channel, Message, Status, Ticket, TicketEvent
from tickets.services import errors

from .factories import CannedResponseFactory, DepartmentFactory, PriorityFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="invoice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True))


def codes(exc_info):
    return exc_info.value.code


# --- ticket_create ----------------------------------------------------------------------------------


class TestTicketCreate:
    def test_customer_files_a_ticket(self, customer, department, priority, notified):
        ticket = services.ticket_create(
            requester=customer,
            department=department,
            subject="  چاپگر   خراب است ",
            body="متن",
            channel=Channel.WEB,
            created_by=customer,
        )
        ticket.refresh_from_db()
        assert ticket.reference.isdigit() and len(ticket.reference) == 7
        assert ticket.subject == "چاپگر خراب است"
        assert ticket.status == Status.NEW
        assert ticket.organisation == customer.organisation
        assert ticket.priority == priority  # the default priority
        assert ticket.created_by == customer
        msg = ticket.messages.get()
        assert (msg.body, msg.author, msg.is_internal) == ("متن", customer, False)
        assert kinds(ticket) == ["created"]
        assert notified.kinds == ["created"]
        assert notified.records[0].in_transaction

    def test_defaults_come_from_the_type(self, customer, priority):
        urgent = PriorityFactory(name="فوری", order=9)
        dept = DepartmentFactory()
        kind = TicketTypeFactory(default_department=dept, default_priority=urgent)
        ticket = services.ticket_create(
            requester=customer,
            department=None,
            type=kind,
            subject="s",
            body="b",
            channel=Channel.WEB,
            created_by=customer,
        )
        assert (ticket.department, ticket.priority, ticket.type) == (dept, urgent, kind)

    def test_explicit_priority_wins(self, make_ticket):
        high = PriorityFactory(order=5)
        assert make_ticket(priority=high).priority == high

    def test_attachment_required_by_type(self, make_ticket):
        kind = TicketTypeFactory(attachment_required=True, name="درخواست افزایش سقف")
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(type=kind)
        assert codes(exc) == "attachment_required"
        assert "درخواست افزایش سقف" in str(exc.value.params["type"])
        assert Ticket.objects.count() == 0
        ticket = make_ticket(type=kind, attachments=[pdf()])
        attachment = Attachment.objects.get(message__ticket=ticket)
        assert attachment.original_name == "invoice.pdf"
        assert attachment.content_type == "application/pdf"
        assert attachment.inline_safe
        assert attachment.file.name.startswith("attachments/") and "invoice" not in attachment.file.name

    def test_bad_attachment_saves_nothing(self, make_ticket):
        bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 200)
        with pytest.raises(errors.ValidationError):
            make_ticket(attachments=[pdf(), bad])
        assert Ticket.objects.count() == 0
        assert Message.objects.count() == 0

    def test_customer_cannot_use_a_private_department(self, make_ticket):
        private = DepartmentFactory(is_public=False)
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(department=private)
        assert exc.value.message == errors.ERR_DEPARTMENT_NOT_AVAILABLE
        assert Ticket.objects.count() == 0

    def test_inactive_department_refused(self, make_ticket):
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(department=DepartmentFactory(is_active=False))
        assert codes(exc) == "department_inactive"

    def test_customer_cannot_use_a_private_type(self, make_ticket):
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(type=TicketTypeFactory(is_public=False))
        assert codes(exc) == "type_not_available"

    def test_customer_files_only_for_themselves(self, make_ticket, customer, colleague):
        with pytest.raises(errors.TicketPermissionError) as exc:
            make_ticket(requester=colleague, created_by=customer)
        assert codes(exc) == "requester_mismatch"

    @pytest.mark.parametrize("field", ["is_internal", "assignee", "tags"])
    def test_customer_cannot_set_staff_fields(self, make_ticket, agent, field):
        value = {"is_internal": True, "assignee": agent, "tags": ["فوری"]}[field]
        with pytest.raises(errors.TicketPermissionError):
            make_ticket(**{field: value})
        assert Ticket.objects.count() == 0

    def test_empty_subject_and_body_refused(self, make_ticket):
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(subject="   ")
        assert exc.value.message == errors.ERR_SUBJECT_REQUIRED
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(body="\n ")
        assert exc.value.message == errors.ERR_BODY_REQUIRED
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(subject="x" * 201)
        assert codes(exc) == "subject_too_long"

    def test_staff_files_on_behalf_of_a_customer(self, customer, agent, department):
        private = DepartmentFactory(is_public=False, members=[agent])
        ticket = services.ticket_create(
            requester=customer,
            department=private,
            subject="تماس تلفنی",
            body="مشتری تماس گرفت",
            channel=Channel.STAFF,
            created_by=agent,
            assignee=agent,
            tags=["تلفن", "فوری", "تلفن"],
        )
        assert ticket.requester == customer
        assert ticket.created_by == agent
        assert ticket.assignee == agent
        assert sorted(ticket.tags.names()) == ["تلفن", "فوری"]
        assert ticket.messages.get().author == agent
        assert ticket.first_response_at is None  # filing on someone's behalf isn't a response

    def test_staff_internal_ticket_without_requester(self, agent, other_agent):
        target_department = other_agent.departments.get()
        ticket = services.ticket_create(
            requester=None,
            department=target_department,
            subject="هماهنگی",
            body="لطفاً بررسی کنید",
            channel=Channel.STAFF,
            created_by=agent,
            is_internal=True,
        )
        assert ticket.is_internal and ticket.requester is None and ticket.organisation is None

    def test_non_internal_needs_requester(self, agent, department):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_create(
                requester=None, department=department, subject="s", body="b", channel="staff", created_by=agent
            )
        assert codes(exc) == "requester_required"

    def test_assignee_must_work_the_department(self, customer, agent, other_agent, department):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_create(
                requester=customer,
                department=department,
                subject="s",
                body="b",
                channel="staff",
                created_by=agent,
                assignee=other_agent,
            )
        assert codes(exc) == "agent_not_in_department"

    def test_system_created_email_ticket(self, customer):
        private = DepartmentFactory(is_public=False, inbound_email="finance@example.com")
        ticket = services.ticket_create(
            requester=customer,
            department=private,
            subject="ایمیل",
            body="متن ایمیل",
            channel=Channel.EMAIL,
            created_by=None,
            message_id="<abc@mail.example.com>",
        )
        assert ticket.channel == Channel.EMAIL
        assert ticket.messages.get().message_id == "<abc@mail.example.com>"
        assert TicketEvent.objects.get(ticket=ticket).actor is None

    def test_reference_collision_is_retried(self, make_ticket, monkeypatch):
        first = make_ticket()
        candidates = iter([first.reference, first.reference, "7654321"])
        monkeypatch.setattr("tickets.services.tickets.new_reference", lambda: next(candidates))
        second = make_ticket()
        assert second.reference == "7654321"

    def test_references_are_unique(self, make_ticket):
        refs = {make_ticket().reference for _ in range(25)}
        assert len(refs) == 25

    def test_search_document_is_normalised(self, customer, department, priority):
        customer.full_name = "علي كاظمي"  # Arabic yeh and kaf
        customer.save()
        ticket = services.ticket_create(
            requester=customer,
            department=department,
            subject="مشكل در ورود به سامانه",
            body="كد خطا ۱۲۳ نمايش داده مي‌شود",
            channel=Channel.WEB,
            created_by=customer,
        )
        ticket.refresh_from_db()
        doc = ticket.search_document
        assert ticket.reference in doc
        assert "مشکل" in doc and "مشكل" not in doc
        assert "علی کاظمی" in doc
        assert "123" in doc and "۱۲۳" not in doc
        assert "می شود" in doc  # ZWNJ becomes a space
        assert customer.email in doc and customer.mobile in doc
        assert doc == normalize(doc)


# --- replies and notes ------------------------------------------------------------------------------


class TestReplies:
    def test_first_staff_reply_opens_and_sets_first_response(self, ticket, agent, notified):
        with time_machine.travel("2025-03-01 10:00 +0000", tick=False):
            message = services.reply_add(ticket=ticket, author=agent, body="در حال بررسی هستیم.")
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN
        assert ticket.first_response_at.isoformat().startswith("2025-03-01T10:00")
        assert ticket.last_activity_at == ticket.first_response_at
        assert message.is_internal is False and message.author == agent
        assert kinds(ticket) == ["created", "replied", "status"]
        assert notified.kinds == ["replied"]  # the status change rides on the reply's notification
        replied = TicketEvent.objects.get(ticket=ticket, kind="replied")
        assert replied.data["status"] == {"old": "new", "new": "open"}
        assert replied.data["message"] == message.pk

    def test_second_staff_reply_keeps_first_response(self, ticket, agent):
        services.reply_add(ticket=ticket, author=agent, body="۱")
        first = Ticket.objects.get(pk=ticket.pk).first_response_at
        services.reply_add(ticket=ticket, author=agent, body="۲")
        assert Ticket.objects.get(pk=ticket.pk).first_response_at == first

    def test_customer_reply_is_not_a_first_response(self, ticket, customer):
        services.reply_add(ticket=ticket, author=customer, body="اطلاعات بیشتر")
        ticket.refresh_from_db()
        assert ticket.first_response_at is None
        assert ticket.status == Status.NEW

    def test_staff_reply_may_set_waiting(self, ticket, agent, notified):
        services.reply_add(ticket=ticket, author=agent, body="لطفاً شماره سریال را بفرستید.", status=Status.WAITING)
        assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING

    def test_customer_reply_moves_waiting_to_open(self, ticket, agent, customer):
        services.reply_add(ticket=ticket, author=agent, body="شماره سریال؟", status=Status.WAITING)
        services.reply_add(ticket=ticket, author=customer, body="SN-123")
        assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN

    def test_customer_reply_reopens_resolved(self, ticket, agent, customer):
        services.reply_add(ticket=ticket, author=agent, body="حل شد.", status=Status.RESOLVED)
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
        services.reply_add(ticket=ticket, author=customer, body="هنوز مشکل دارم.")
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN and ticket.resolved_at is None

    def test_customer_may_not_set_status(self, ticket, customer):
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.reply_add(ticket=ticket, author=customer, body="x", status=Status.RESOLVED)
        assert codes(exc) == "status_by_customer"
        assert ticket.messages.count() == 1

    def test_refused_transition_writes_nothing(self, ticket, agent):
        services.reply_add(ticket=ticket, author=agent, body="حل شد.", status=Status.RESOLVED)
        with pytest.raises(errors.TicketError) as exc:
            services.reply_add(ticket=ticket, author=agent, body="x", status=Status.WAITING)
        assert codes(exc) == "invalid_transition"
        assert ticket.messages.count() == 2

    def test_no_reply_on_closed(self, ticket, customer, notified):
        services.ticket_close(ticket=ticket, actor=customer)
        notified.clear()
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.reply_add(ticket=ticket, author=customer, body="x")
        assert exc.value.message == errors.ERR_CLOSED
        assert notified.kinds == []

    def test_stranger_cannot_reply(self, ticket, stranger, other_agent):
        for user in (stranger, other_agent):
            with pytest.raises(errors.TicketPermissionError) as exc:
                services.reply_add(ticket=ticket, author=user, body="x")
            assert exc.value.message == errors.ERR_NOT_ALLOWED

    def test_reply_is_added_to_search_document(self, ticket, agent):
        services.reply_add(ticket=ticket, author=agent, body="راه‌حل: درايور را نصب كنيد")
        assert "درایور را نصب کنید" in Ticket.objects.get(pk=ticket.pk).search_document

    def test_reply_with_attachment(self, ticket, customer):
        message = services.reply_add(ticket=ticket, author=customer, body="فاکتور پیوست شد", attachments=[pdf()])
        assert message.attachments.get().size == len(PDF)

    def test_note_is_internal_and_staff_only(self, ticket, agent, customer, notified):
        before = Ticket.objects.get(pk=ticket.pk).last_activity_at
        note = services.note_add(ticket=ticket, author=agent, body="مشتری ویژه است")
        assert note.is_internal
        after = Ticket.objects.get(pk=ticket.pk)
        assert after.last_activity_at == before
        assert "ویژه" not in after.search_document
        assert notified.kinds[-1] == "noted"
        with pytest.raises(errors.TicketPermissionError):
            services.note_add(ticket=ticket, author=customer, body="x")


# --- assignment and transfer ------------------------------------------------------------------------


class TestAssignTransfer:
    def test_take_it_yourself(self, ticket, agent, notified):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == agent
        event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
        assert event.data == {"old": None, "new": {"id": agent.pk, "name": agent.full_name}}
        assert notified.kinds[-1] == "assigned"

    def test_assign_is_noop_when_unchanged(self, ticket, agent):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        assert kinds(ticket).count("assigned") == 1

    def test_unassign(self, ticket, agent):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        services.ticket_assign(ticket=ticket, agent=None, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee is None

    def test_agent_must_belong_to_department(self, ticket, agent, other_agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_assign(ticket=ticket, agent=other_agent, actor=agent)
        assert codes(exc) == "agent_not_in_department"

    def test_managers_can_hold_any_ticket(self, ticket, agent, manager):
        services.ticket_assign(ticket=ticket, agent=manager, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == manager

    def test_customer_cannot_be_assigned(self, ticket, agent, colleague):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_assign(ticket=ticket, agent=colleague, actor=agent)
        assert codes(exc) == "agent_not_staff"

    def test_outsider_cannot_assign(self, ticket, other_agent, customer):
        for actor in (other_agent, customer):
            with pytest.raises(errors.TicketPermissionError):
                services.ticket_assign(ticket=ticket, agent=actor, actor=actor)

    def test_transfer_to_another_department(self, ticket, agent, other_agent, notified):
        services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
        finance = other_agent.departments.get()
        services.ticket_transfer(ticket=ticket, department=finance, actor=agent, note="موضوع مالی است")
        ticket.refresh_from_db()
        assert ticket.department == finance
        assert ticket.assignee is None
        event = TicketEvent.objects.get(ticket=ticket, kind="transferred")
        assert event.data["note"] == "موضوع مالی است"
        assert event.data["old_department"]["name"] == "پشتیبانی فنی"
        assert event.data["old_agent"]["id"] == agent.pk
        assert notified.kinds[-1] == "transferred"

    def test_transfer_with_agent(self, ticket, agent, other_agent):
        finance = other_agent.departments.get()
        services.ticket_transfer(ticket=ticket, department=finance, agent=other_agent, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == other_agent

    def test_transfer_agent_checked_against_new_department(self, ticket, agent, other_agent):
        finance = other_agent.departments.get()
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_transfer(ticket=ticket, department=finance, agent=agent, actor=agent)
        assert codes(exc) == "agent_not_in_department"
        assert Ticket.objects.get(pk=ticket.pk).department != finance

    def test_transfer_nothing(self, ticket, agent, department):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_transfer(ticket=ticket, department=department, actor=agent)
        assert codes(exc) == "transfer_nothing"

    def test_transfer_within_department_to_agent(self, ticket, agent, department):
        colleague_agent = AgentFactory()
        department.members.add(colleague_agent)
        services.ticket_transfer(ticket=ticket, department=department, agent=colleague_agent, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).assignee == colleague_agent


# --- status -----------------------------------------------------------------------------------------

ALL = list(Status.values)
ALLOWED = {
    "new": {"open", "waiting", "on_hold", "resolved", "closed"},
    "open": {"waiting", "on_hold", "resolved", "closed"},
    "waiting": {"open", "on_hold", "resolved", "closed"},
    "on_hold": {"open", "waiting", "resolved", "closed"},
    "resolved": {"open", "closed"},
    "closed": set(),
}


def _put_in(ticket, status):
    """Force a starting status (with consistent timestamps) without going through the services."""
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status,
        closed_at=now if status == "closed" else None,
        resolved_at=now if status in ("resolved", "closed") else None,
    )


class TestStatus:
    @pytest.mark.parametrize(("old", "new"), [(o, n) for o in ALL for n in ALL if o != n])
    def test_transition_table(self, ticket, manager, old, new, notified):
        _put_in(ticket, old)
        notified.clear()
        if new in ALLOWED[old]:
            services.ticket_change_status(ticket=ticket, status=new, actor=manager)
            ticket.refresh_from_db()
            assert ticket.status == new
            event = TicketEvent.objects.filter(ticket=ticket, kind="status").get()
            assert event.data == {"old": old, "new": new}
            assert notified.kinds == ["status"]
        else:
            with pytest.raises(errors.TicketError) as exc:
                services.ticket_change_status(ticket=ticket, status=new, actor=manager)
            assert exc.value.code in ("invalid_transition", "closed")
            ticket.refresh_from_db()
            assert ticket.status == old
            assert not TicketEvent.objects.filter(ticket=ticket, kind="status").exists()
            assert notified.kinds == []

    def test_model_table_matches(self):
        from tickets.models import ALLOWED_TRANSITIONS

        assert {k: set(v) for k, v in ALLOWED_TRANSITIONS.items()} == ALLOWED

    def test_unchanged_status_is_a_noop(self, ticket, agent):
        services.ticket_change_status(ticket=ticket, status=Status.NEW, actor=agent)
        assert "status" not in kinds(ticket)

    def test_timestamps(self, ticket, agent):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.resolved_at is not None and t.closed_at is None
        services.ticket_change_status(ticket=ticket, status=Status.CLOSED, actor=agent)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.closed_at is not None and t.resolved_at is not None

    def test_closing_an_open_ticket_sets_resolved_at(self, ticket, agent):
        services.ticket_close(ticket=ticket, actor=agent)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.status == Status.CLOSED and t.resolved_at == t.closed_at

    def test_customer_can_close_and_reopen(self, ticket, agent, customer, notified):
        services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
        services.ticket_reopen(ticket=ticket, actor=customer)
        assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
        services.ticket_close(ticket=ticket, actor=customer)
        assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
        assert notified.kinds[-3:] == ["status", "status", "status"]

    def test_customer_cannot_change_status_directly(self, ticket, customer):
        with pytest.raises(errors.TicketPermissionError):
            services.ticket_change_status(ticket=ticket, status=Status.ON_HOLD, actor=customer)

    def test_reopen_only_resolved(self, ticket, customer, agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_reopen(ticket=ticket, actor=customer)
        assert codes(exc) == "reopen_not_resolved"
        services.ticket_close(ticket=ticket, actor=agent)
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.ticket_reopen(ticket=ticket, actor=customer)
        assert exc.value.message == errors.ERR_CLOSED

    def test_closed_is_final(self, ticket, agent, manager):
        services.ticket_close(ticket=ticket, actor=agent)
        for call in (
            lambda: services.ticket_change_status(ticket=ticket, status=Status.OPEN, actor=manager),
            lambda: services.ticket_close(ticket=ticket, actor=manager),
            lambda: services.ticket_assign(ticket=ticket, agent=agent, actor=manager),
            lambda: services.ticket_set_pinned(ticket=ticket, pinned=True, actor=manager),
        ):
            with pytest.raises(errors.TicketPermissionError) as exc:
                call()
            assert exc.value.message == errors.ERR_CLOSED


# --- attributes -------------------------------------------------------------------------------------


class TestAttributes:
    def test_priority(self, ticket, agent, priority, notified):
        high = PriorityFactory(name="زیاد", order=3)
        services.ticket_change_priority(ticket=ticket, priority=high, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).priority == high
        event = TicketEvent.objects.get(ticket=ticket, kind="priority")
        assert event.data["old"]["name"] == "عادی" and event.data["new"]["name"] == "زیاد"
        assert notified.kinds[-1] == "priority"
        with pytest.raises(errors.TicketError):
            services.ticket_change_priority(ticket=ticket, priority=PriorityFactory(is_active=False), actor=agent)

    def test_type(self, ticket, agent, notified):
        kind = TicketTypeFactory()
        services.ticket_change_type(ticket=ticket, type=kind, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).type == kind
        assert notified.kinds[-1] == "type"
        services.ticket_change_type(ticket=ticket, type=None, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).type is None

    def test_tags(self, ticket, agent, notified):
        services.ticket_set_tags(ticket=ticket, tags="چاپگر، سخت‌افزار, فوری", actor=agent)
        assert sorted(Ticket.objects.get(pk=ticket.pk).tags.names()) == sorted(["چاپگر", "سخت‌افزار", "فوری"])
        services.ticket_set_tags(ticket=ticket, tags=["چاپگر", "شبکه"], actor=agent)
        event = TicketEvent.objects.filter(ticket=ticket, kind="tags").last()
        assert event.data == {"added": ["شبکه"], "removed": sorted(["سخت‌افزار", "فوری"])}
        services.ticket_add_tags(ticket=ticket, tags=["VIP"], actor=agent)
        assert sorted(Ticket.objects.get(pk=ticket.pk).tags.names()) == sorted(["چاپگر", "شبکه", "VIP"])
        before = kinds(ticket).count("tags")
        services.ticket_add_tags(ticket=ticket, tags=["vip"], actor=agent)  # case-insensitive: nothing new
        assert kinds(ticket).count("tags") == before
        assert notified.kinds.count("tags") == 3

    def test_tag_too_long(self, ticket, agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_set_tags(ticket=ticket, tags=["x" * 101], actor=agent)
        assert codes(exc) == "tag_too_long"

    def test_customer_cannot_edit(self, ticket, customer):
        with pytest.raises(errors.TicketPermissionError):
            services.ticket_set_tags(ticket=ticket, tags=["x"], actor=customer)
        with pytest.raises(errors.TicketPermissionError):
            services.ticket_set_pinned(ticket=ticket, pinned=True, actor=customer)

    def test_pin(self, ticket, agent, notified):
        services.ticket_set_pinned(ticket=ticket, pinned=True, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).is_pinned
        services.ticket_set_pinned(ticket=ticket, pinned=True, actor=agent)
        assert notified.kinds.count("pinned") == 1
        services.ticket_set_pinned(ticket=ticket, pinned=False, actor=agent)
        assert TicketEvent.objects.filter(ticket=ticket, kind="pinned").last().data == {"pinned": False}

    def test_due_dates(self, ticket, agent, notified):
        soon = timezone.now() + timedelta(hours=4)
        later = soon + timedelta(days=2)
        services.ticket_set_due(ticket=ticket, actor=agent, first_response_due=soon, resolution_due=later)
        t = Ticket.objects.get(pk=ticket.pk)
        assert (t.first_response_due, t.resolution_due) == (soon, later)
        assert notified.kinds[-2:] == ["due", "due"]
        services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=None)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.first_response_due == soon and t.resolution_due is None
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=soon - timedelta(hours=1))
        assert codes(exc) == "due_order"

    def test_overdue(self, ticket, agent):
        services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=timezone.now() - timedelta(minutes=1))
        assert Ticket.objects.get(pk=ticket.pk).is_overdue


# --- followers --------------------------------------------------------------------------------------


class TestFollowers:
    def test_self_follow_and_unfollow(self, ticket, agent, notified):
        services.follower_add(ticket=ticket, user=agent, actor=agent)
        assert ticket.followers.filter(pk=agent.pk).exists()
        services.follower_add(ticket=ticket, user=agent, actor=agent)
        services.follower_remove(ticket=ticket, user=agent, actor=agent)
        assert not ticket.followers.exists()
        assert notified.kinds.count("followed") == 2

    def test_agent_adds_colleague_customer(self, ticket, agent, colleague):
        services.follower_add(ticket=ticket, user=colleague, actor=agent)
        assert Ticket.objects.visible_to(colleague).filter(pk=ticket.pk).exists()

    def test_customer_of_another_org_cannot_follow(self, ticket, agent, stranger):
        with pytest.raises(errors.TicketError) as exc:
            services.follower_add(ticket=ticket, user=stranger, actor=agent)
        assert codes(exc) == "follower_not_allowed"

    def test_customer_cannot_add_others(self, ticket, customer, colleague):
        with pytest.raises(errors.TicketPermissionError):
            services.follower_add(ticket=ticket, user=colleague, actor=customer)

    def test_agent_following_sees_ticket(self, ticket, other_agent, manager):
        assert not Ticket.objects.visible_to(other_agent).filter(pk=ticket.pk).exists()
        services.follower_add(ticket=ticket, user=other_agent, actor=manager)
        assert Ticket.objects.visible_to(other_agent).filter(pk=ticket.pk).exists()


# --- merge ------------------------------------------------------------------------------------------


class TestMerge:
    def test_merge(self, make_ticket, agent, customer, colleague, notified):
        target = make_ticket(subject="اصلی")
        source = make_ticket(subject="تکراری", body="متن تکراري")
        services.reply_add(ticket=source, author=agent, body="پاسخ")
        services.ticket_set_tags(ticket=source, tags=["تکراری"], actor=agent)
        services.follower_add(ticket=source, user=colleague, actor=agent)
        notified.clear()

        result = services.ticket_merge(source=source, target=target, actor=agent)

        assert result.pk == target.pk
        source.refresh_from_db()
        target.refresh_from_db()
        assert source.status == Status.CLOSED and source.merged_into == target
        assert source.messages.count() == 0
        assert target.messages.count() == 3
        assert "تکراری" in target.tags.names()
        assert target.followers.filter(pk=colleague.pk).exists()
        assert "متن تکراری" in target.search_document
        assert target.first_response_at is not None
        assert TicketEvent.objects.get(ticket=source, kind="merged").data == {
            "other": {"id": target.pk, "reference": target.reference},
            "direction": "into",
        }
        assert TicketEvent.objects.get(ticket=target, kind="merged").data["direction"] == "from"
        assert notified.kinds == ["merged", "merged"]

    def test_merge_needs_same_requester(self, make_ticket, agent, colleague):
        target = make_ticket()
        source = make_ticket(requester=colleague)
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_merge(source=source, target=target, actor=agent)
        assert codes(exc) == "merge_requester"
        assert source.messages.count() == 1

    def test_merge_into_itself(self, ticket, agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_merge(source=ticket, target=ticket, actor=agent)
        assert codes(exc) == "merge_same"

    def test_internal_into_public_refused(self, make_ticket, agent, customer, department):
        target = make_ticket()
        source = services.ticket_create(
            requester=customer,
            department=department,
            subject="داخلی",
            body="محرمانه",
            channel="staff",
            created_by=agent,
            is_internal=True,
        )
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_merge(source=source, target=target, actor=agent)
        assert codes(exc) == "merge_internal"

    def test_customer_cannot_merge(self, make_ticket, customer):
        a, b = make_ticket(), make_ticket()
        with pytest.raises(errors.TicketPermissionError):
            services.ticket_merge(source=a, target=b, actor=customer)


# --- bulk -------------------------------------------------------------------------------------------


class TestBulk:
    def test_bulk_assign_reports_failures(self, make_ticket, agent, other_agent):
        mine = [make_ticket(), make_ticket()]
        elsewhere = make_ticket(department=other_agent.departments.get())
        result = services.bulk_apply(tickets=[*mine, elsewhere], action="assign", actor=agent, agent=agent)
        assert [t.pk for t in result.done] == [t.pk for t in mine]
        assert [t.pk for t, _ in result.failed] == [elsewhere.pk]
        assert result.failed[0][1]
        assert Ticket.objects.filter(assignee=agent).count() == 2

    @pytest.mark.parametrize(
        ("action", "params", "check"),
        [
            ("status", {"status": "on_hold"}, lambda t: t.status == "on_hold"),
            ("close", {}, lambda t: t.status == "closed"),
            ("pin", {}, lambda t: t.is_pinned),
            ("add_tags", {"tags": ["گروهی"]}, lambda t: "گروهی" in t.tags.names()),
        ],
    )
    def test_bulk_actions(self, make_ticket, agent, action, params, check, notified):
        tickets = [make_ticket(), make_ticket()]
        notified.clear()
        result = services.bulk_apply(
            tickets=Ticket.objects.filter(pk__in=[t.pk for t in tickets]), action=action, actor=agent, **params
        )
        assert len(result.done) == 2 and not result.failed
        assert all(check(Ticket.objects.get(pk=t.pk)) for t in tickets)
        assert len(notified.kinds) == 2

    def test_bulk_priority_and_transfer(self, make_ticket, agent, other_agent):
        high = PriorityFactory()
        t = make_ticket()
        services.bulk_apply(tickets=[t], action="priority", actor=agent, priority=high)
        services.bulk_apply(tickets=[t], action="transfer", actor=agent, department=other_agent.departments.get())
        t.refresh_from_db()
        assert t.priority == high and t.department == other_agent.departments.get()

    def test_unknown_action(self, ticket, agent):
        with pytest.raises(ValueError):
            services.bulk_apply(tickets=[ticket], action="delete", actor=agent)


# --- canned responses and saved filters -------------------------------------------------------------


class TestCanned:
    def test_placeholders(self, ticket, agent):
        response = CannedResponseFactory(
            body="سلام {customer_name} عزیز، درخواست #{ticket_reference} در {department} توسط {agent_name} "
            "بررسی شد. {unknown} و {  } و { بدون تغییر می‌مانند."
        )
        text = services.render_canned(response=response, ticket=ticket, agent=agent)
        assert text == (
            f"سلام مریم کاظمی عزیز، درخواست #{ticket.reference} در پشتیبانی فنی توسط علی رضایی "
            "بررسی شد. {unknown} و {  } و { بدون تغییر می‌مانند."
        )

    def test_internal_ticket_without_requester(self, agent, department):
        ticket = services.ticket_create(
            requester=None,
            department=department,
            subject="s",
            body="b",
            channel="staff",
            created_by=agent,
            is_internal=True,
        )
        response = CannedResponseFactory(body="{customer_name}|{agent_name}")
        assert services.render_canned(response=response, ticket=ticket, agent=agent) == "|علی رضایی"

    def test_available_to(self, agent, department, other_agent, manager):
        from tickets.models import CannedResponse

        glob = CannedResponseFactory()
        mine = CannedResponseFactory(scope="department", department=department)
        theirs = CannedResponseFactory(scope="department", department=other_agent.departments.get())
        personal = CannedResponseFactory(scope="personal", owner=agent)
        CannedResponseFactory(scope="personal", owner=other_agent)
        CannedResponseFactory(is_active=False)
        assert set(CannedResponse.objects.available_to(agent)) == {glob, mine, personal}
        assert set(CannedResponse.objects.available_to(manager)) == {glob, mine, theirs}
        assert set(CannedResponse.objects.available_to(agent, department=other_agent.departments.get())) == {
            glob,
            theirs,
            personal,
        }
        assert not CannedResponse.objects.available_to(CustomerFactory()).exists()

    def test_saved_filters(self, agent):
        saved = services.saved_filter_save(owner=agent, name=" باز های  من ", querystring="?status=open")
        assert (saved.name, saved.querystring) == ("باز های من", "status=open")
        again = services.saved_filter_save(owner=agent, name="باز های من", querystring="status=new")
        assert again.pk == saved.pk and again.querystring == "status=new"
        services.saved_filter_delete(saved_filter=saved, actor=ManagerFactory())
        assert agent.saved_filters.count() == 1
        services.saved_filter_delete(saved_filter=saved, actor=agent)
        assert agent.saved_filters.count() == 0


# --- sharing --------------------------------------------------------------------------------------


def test_org_sharing_lets_colleague_reply(make_ticket, colleague, org):
    ticket = make_ticket()
    with pytest.raises(errors.TicketPermissionError):
        services.reply_add(ticket=ticket, author=colleague, body="x")
    org.sharing = Organisation.Sharing.ALL
    org.save()
    services.reply_add(ticket=ticket, author=colleague, body="من هم همین مشکل را دارم")
    assert ticket.messages.count() == 2


@pytest.mark.django_db(transaction=True)
def test_notify_runs_inside_the_transaction(customer, department, notified):
    services.ticket_create(
        requester=customer, department=department, subject="s", body="b", channel="web", created_by=customer
    )
    assert notified.records and notified.records[0].in_transaction
    assert not transaction.get_connection().in_atomic_block

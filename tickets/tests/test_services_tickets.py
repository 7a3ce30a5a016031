"""`tickets.services.tickets`: filing a ticket (validation, defaults, references, search document) and merging."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from helpdesk.persian import normalize
from tickets import services
from tickets.models import Attachment, Channel, Message, Status, Ticket, TicketEvent
from tickets.services import errors

from .factories import DepartmentFactory, PriorityFactory, TicketTypeFactory
from .services_support import codes, kinds, pdf

pytestmark = pytest.mark.django_db


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
        with pytest.raises(errors.ValidationError) as exc:
            make_ticket(attachments=[pdf(), bad])
        assert codes(exc) == "executable"
        assert Ticket.objects.count() == 0
        assert Message.objects.count() == 0

    def test_customer_cannot_use_a_private_department(self, make_ticket):
        private = DepartmentFactory(is_public=False)
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(department=private)
        assert exc.value.message == errors.ERR_DEPARTMENT_NOT_AVAILABLE
        assert codes(exc) == "department_not_public"
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
        with pytest.raises(errors.TicketPermissionError) as exc:
            make_ticket(**{field: value})
        assert codes(exc) == "customer_fields"
        assert Ticket.objects.count() == 0

    def test_empty_subject_and_body_refused(self, make_ticket):
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(subject="   ")
        assert exc.value.message == errors.ERR_SUBJECT_REQUIRED
        assert codes(exc) == "subject_required"
        with pytest.raises(errors.TicketError) as exc:
            make_ticket(body="\n ")
        assert exc.value.message == errors.ERR_BODY_REQUIRED
        assert codes(exc) == "body_required"
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
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.ticket_merge(source=a, target=b, actor=customer)
        assert codes(exc) == "not_allowed"


@pytest.mark.django_db(transaction=True)
def test_notify_runs_inside_the_transaction(customer, department, notified):
    services.ticket_create(
        requester=customer, department=department, subject="s", body="b", channel="web", created_by=customer
    )
    assert notified.records and notified.records[0].in_transaction
    assert not transaction.get_connection().in_atomic_block

"""`tickets.services.messages`: replies and internal notes (status moves, first response, permissions)."""

import pytest
import time_machine

from accounts.models import Organisation
from tickets import services
from tickets.models import Status, Ticket, TicketEvent
from tickets.services import errors

from .services_support import PDF, codes, kinds, pdf

pytestmark = pytest.mark.django_db


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
        assert codes(exc) == "closed"
        assert notified.kinds == []

    def test_stranger_cannot_reply(self, ticket, stranger, other_agent):
        for user in (stranger, other_agent):
            with pytest.raises(errors.TicketPermissionError) as exc:
                services.reply_add(ticket=ticket, author=user, body="x")
            assert exc.value.message == errors.ERR_NOT_ALLOWED
            assert codes(exc) == "not_allowed"

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
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.note_add(ticket=ticket, author=customer, body="x")
        assert codes(exc) == "not_allowed"


# --- sharing --------------------------------------------------------------------------------------


def test_org_sharing_lets_colleague_reply(make_ticket, colleague, org):
    ticket = make_ticket()
    with pytest.raises(errors.TicketPermissionError) as exc:
        services.reply_add(ticket=ticket, author=colleague, body="x")
    assert codes(exc) == "not_allowed"
    org.sharing = Organisation.Sharing.ALL
    org.save()
    services.reply_add(ticket=ticket, author=colleague, body="من هم همین مشکل را دارم")
    assert ticket.messages.count() == 2

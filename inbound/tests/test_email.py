"""Email-in with real RFC 822 messages, through the service and end to end through anymail's Postmark webhook."""

from __future__ import annotations

import base64
import io

import pytest
from anymail.inbound import AnymailInboundMessage
from anymail.signals import AnymailInboundEvent, inbound
from PIL import Image

from accounts.models import User
from inbound.models import InboundEmail, State
from inbound.services import email_receive
from inbound.tests.helpers import committed, eml, post_postmark
from notifications.tokens import reply_address
from tickets.models import Attachment, Channel, Message, Ticket

pytestmark = pytest.mark.django_db


def receive(raw: bytes):
    """Store a message and process it (after the commit, as in production); returns (row as stored, created)."""
    return received(AnymailInboundMessage.parse_raw_mime_bytes(raw), esp_name="Test")


def received(message, **kwargs):
    with committed():
        row, created = email_receive(message=message, **kwargs)
    return InboundEmail.objects.get(pk=row.pk), created


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


# --- new tickets --------------------------------------------------------------------------------------------------


def test_unknown_sender_becomes_a_customer_with_a_new_ticket(department, priority):
    row, created = receive(eml(sender="Reza Karimi <reza@example.net>"))
    assert created and row.state == State.TICKET
    ticket = row.ticket
    assert ticket.department == department and ticket.channel == Channel.EMAIL
    assert ticket.subject == "Printer broken"
    assert ticket.requester.email == "reza@example.net" and ticket.requester.full_name == "Reza Karimi"
    assert ticket.requester.is_customer
    assert ticket.messages.get().message_id == "<m1@mail.example.org>"


def test_unknown_sender_refused_by_setting(settings, department):
    settings.INBOUND_UNKNOWN_SENDERS = "refuse"
    row, _ = receive(eml(sender="reza@example.net"))
    assert row.state == State.REFUSED and "refuse" in row.reason
    assert not Ticket.objects.exists() and not User.objects.filter(email="reza@example.net").exists()


def test_known_sender_new_ticket_uses_stripped_text_and_default_department(settings, customer, department):
    department.inbound_email = ""
    department.save(update_fields=["inbound_email"])
    settings.INBOUND_EMAIL_DEPARTMENT = str(department.pk)
    message = AnymailInboundMessage.parse_raw_mime_bytes(eml(body="New text\n> quoted old text"))
    message.stripped_text = "New text"
    row, _ = received(message)
    assert row.ticket.requester == customer and row.ticket.department == department
    assert row.ticket.messages.get().body == "New text"


def test_no_department_is_recorded_not_raised(department):
    department.inbound_email = ""
    department.save(update_fields=["inbound_email"])
    row, _ = receive(eml())
    assert row.state == State.REFUSED and not Ticket.objects.exists()


# --- replies ------------------------------------------------------------------------------------------------------


def test_reply_matched_by_in_reply_to(make_ticket, customer):
    ticket = make_ticket()
    Message.objects.filter(ticket=ticket).update(message_id="<first@helpdesk.example.com>")
    row, _ = receive(
        eml(subject="Re: something else", message_id="<r1@x>", headers=["In-Reply-To: <first@helpdesk.example.com>"])
    )
    assert row.state == State.REPLY and row.ticket == ticket
    reply = ticket.messages.get(message_id="<r1@x>")
    assert reply.author == customer and reply.channel == Channel.EMAIL and not reply.is_internal


def test_reply_matched_by_references_to_an_outbox_email(make_ticket, customer):
    from notifications.models import Notification

    ticket = make_ticket()
    ack = Notification.objects.get(recipient=customer, channel="email", event__ticket=ticket)  # the acknowledgement
    Notification.objects.filter(pk=ack.pk).update(provider_message_id="<out.1@helpdesk.example.com>")
    row, _ = receive(eml(message_id="<r2@x>", headers=["References: <a@b> <out.1@helpdesk.example.com>"]))
    assert row.state == State.REPLY and row.ticket == ticket


def test_reply_matched_by_signed_token_in_recipient(make_ticket, customer):
    ticket = make_ticket()
    row, _ = receive(eml(to=reply_address(ticket.pk), subject="no tag here", message_id="<r3@x>"))
    assert row.state == State.REPLY and row.ticket == ticket
    assert Ticket.objects.count() == 1


def test_forged_token_is_not_a_reply(make_ticket, customer):
    ticket = make_ticket()
    forged = reply_address(ticket.pk).replace("+", "+").split("@")[0][:-4] + "0000@inbound.example.com"
    row, _ = receive(eml(to=forged, message_id="<r4@x>"))
    assert row.state == State.TICKET and row.ticket != ticket


def test_reply_by_subject_tag_from_a_participant(make_ticket, customer):
    ticket = make_ticket()
    row, _ = receive(eml(subject=f"Re: [#{ticket.reference}] Printer", message_id="<r5@x>"))
    assert row.state == State.REPLY and row.ticket == ticket


def test_subject_tag_from_a_stranger_opens_a_new_ticket(make_ticket):
    ticket = make_ticket()
    row, _ = receive(eml(sender="mallory@evil.example", subject=f"[#{ticket.reference}] hijack", message_id="<r6@x>"))
    assert row.state == State.TICKET and row.ticket != ticket
    assert ticket.messages.count() == 1


def test_stranger_with_the_thread_id_does_not_reply(make_ticket):
    ticket = make_ticket()
    Message.objects.filter(ticket=ticket).update(message_id="<first@helpdesk.example.com>")
    row, _ = receive(
        eml(sender="mallory@evil.example", message_id="<r7@x>", headers=["In-Reply-To: <first@helpdesk.example.com>"])
    )
    assert row.ticket != ticket and ticket.messages.count() == 1


# --- duplicates and loops -----------------------------------------------------------------------------------------


def test_same_email_posted_twice_makes_one_reply(client, make_ticket, customer):
    ticket = make_ticket()
    raw = eml(to=reply_address(ticket.pk), message_id="<dup@x>")
    assert post_postmark(client, raw).status_code == 200
    assert post_postmark(client, raw).status_code == 200
    assert ticket.messages.filter(message_id="<dup@x>").count() == 1
    assert ticket.messages.count() == 2 and InboundEmail.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": ["Auto-Submitted: auto-replied"]},
        {"headers": ["Precedence: bulk"]},
        {"headers": ["Precedence: auto_reply"]},
        {"headers": ["Precedence: list"]},
        {"sender": "MAILER-DAEMON@mail.example.org"},
        {"sender": "postmaster@mail.example.org"},
        {"sender": "Helpdesk <helpdesk@example.com>"},
    ],
)
def test_auto_replies_and_loops_are_ignored(make_ticket, customer, kwargs):
    ticket = make_ticket()
    kwargs.setdefault("sender", "maryam@example.com")
    row, _ = receive(eml(to=reply_address(ticket.pk), message_id="<auto@x>", **kwargs))
    assert row.state == State.IGNORED
    assert ticket.messages.count() == 1 and Ticket.objects.count() == 1


def test_auto_submitted_no_is_a_person(make_ticket, customer):
    ticket = make_ticket()
    row, _ = receive(eml(to=reply_address(ticket.pk), message_id="<p@x>", headers=["Auto-Submitted: no"]))
    assert row.state == State.REPLY


# --- the webhook --------------------------------------------------------------------------------------------------


def test_webhook_end_to_end_creates_a_ticket(client, department):
    response = post_postmark(client, eml(sender="new@example.net", message_id="<e2e@x>"))
    assert response.status_code == 200
    assert Ticket.objects.get().requester.email == "new@example.net"


@pytest.mark.parametrize("auth", [None, "Basic " + base64.b64encode(b"hook:wrong").decode()])
def test_forged_webhook_without_the_secret_is_400_and_stores_nothing(client, department, auth):
    response = post_postmark(client, eml(sender="new@example.net"), auth=auth)
    assert response.status_code == 400
    assert not InboundEmail.objects.exists() and not Ticket.objects.exists()
    assert not User.objects.filter(email="new@example.net").exists()


def test_signal_from_any_esp_is_handled(department):
    message = AnymailInboundMessage.parse_raw_mime_bytes(eml(sender="sig@example.net", message_id="<sig@x>"))
    inbound.send(
        sender=object,
        event=AnymailInboundEvent(event_type="inbound", event_id="e1", message=message),
        esp_name="Mailgun",
    )
    assert InboundEmail.objects.get().esp_name == "Mailgun"


# --- attachments --------------------------------------------------------------------------------------------------


def test_attachment_accepted_and_disguised_one_refused(department):
    disguised = b"MZ\x90\x00" + b"\x00" * 200  # a Windows executable named like a picture
    row, _ = receive(
        eml(
            sender="att@example.net",
            message_id="<att@x>",
            attachments=[
                ("photo.png", "image/png", png_bytes()),
                ("invoice.png", "image/png", disguised),
            ],
        )
    )
    assert row.state == State.TICKET
    message = row.ticket.messages.get(is_internal=False)
    (stored,) = Attachment.objects.filter(message=message)
    assert stored.original_name == "photo.png" and stored.content_type == "image/png"
    assert "invoice.png" not in message.body  # the sender's message stays as written
    # The staff learn of the refused file from an internal note by the system, never shown to the customer.
    note = row.ticket.messages.get(is_internal=True)
    assert note.author is None and not note.attachments.exists()
    assert "invoice.png" in note.body and "photo.png" not in note.body
    assert "invoice.png" not in row.ticket.search_document


def test_refused_attachment_of_a_reply_is_noted_for_the_staff(customer, make_ticket):
    ticket = make_ticket()
    disguised = b"MZ\x90\x00" + b"\x00" * 200
    row, _ = receive(
        eml(
            subject=f"Re: [#{ticket.reference}] چاپگر",
            message_id="<att-reply@x>",
            attachments=[("setup.png", "image/png", disguised)],
        )
    )
    assert row.state == State.REPLY and row.ticket == ticket
    reply = ticket.messages.filter(is_internal=False).latest("pk")
    assert reply.author == customer and "setup.png" not in reply.body
    note = ticket.messages.get(is_internal=True)
    assert note.author is None and "setup.png" in note.body


def test_persian_message_with_encoded_subject_and_8bit_body(department):
    raw = (
        "From: =?utf-8?b?" + base64.b64encode("مریم کاظمی".encode()).decode() + "?= <new-fa@example.net>\r\n"
        "To: support@inbound.example.com\r\n"
        "Subject: =?utf-8?b?" + base64.b64encode("چاپگر خراب است".encode()).decode() + "?=\r\n"
        "Message-ID: <fa@x>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "چاپگر طبقه دوم کار نمی‌کند.\r\n"
    ).encode()
    row, _ = receive(raw)
    assert row.state == State.TICKET
    assert row.ticket.subject == "چاپگر خراب است"
    assert row.ticket.requester.full_name == "مریم کاظمی"
    assert row.ticket.messages.get().body == "چاپگر طبقه دوم کار نمی‌کند."


def test_message_without_message_id_is_still_stored_once(department):
    raw = eml(sender="noid@example.net").replace(b"Message-ID: <m1@mail.example.org>\r\n", b"")
    first, created = receive(raw)
    again, created_again = receive(raw)
    assert created and not created_again and first.pk == again.pk
    assert Ticket.objects.count() == 1


def test_subject_tag_from_someone_who_could_see_but_takes_no_part_is_not_a_reply(make_ticket, teammate):
    """An agent of the department can read the ticket but has no part in it: the tag alone is not enough."""
    ticket = make_ticket()
    row, _ = receive(eml(sender=teammate.email, subject=f"[#{ticket.reference}] hi", message_id="<r8@x>"))
    assert row.ticket != ticket and ticket.messages.count() == 1


def test_subject_tag_from_a_follower_is_a_reply(make_ticket, teammate):
    ticket = make_ticket()
    ticket.followers.add(teammate)
    row, _ = receive(eml(sender=teammate.email, subject=f"[#{ticket.reference}] hi", message_id="<r9@x>"))
    assert row.state == State.REPLY and row.ticket == ticket

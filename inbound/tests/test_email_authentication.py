"""Email-in does not trust `From:` (#14.2): real RFC 822 messages with our provider's Authentication-Results (pass
or fail), posted through the real Postmark webhook and processed as in production (after the commit)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.tests.pins import assert_queries, pinned_get
from inbound.models import InboundEmail, State, Verdict
from inbound.tests.helpers import authentication_results, committed, eml, post_postmark
from notifications.models import Notification
from notifications.tokens import reply_address
from tickets import services
from tickets.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def ref(ticket) -> str:
    return f"Re: [#{ticket.reference}] چاپگر"


def stored(message_id: str) -> InboundEmail:
    return InboundEmail.objects.select_related("ticket").get(message_id=message_id)


def to_customer(customer) -> int:
    return Notification.objects.filter(recipient=customer).count()


@pytest.fixture
def worked(make_ticket, agent):
    """A ticket the agent has answered (so the agent takes part in it, and the subject tag finds it for them)."""
    ticket = make_ticket()
    services.reply_add(ticket=ticket, author=agent, body="لطفاً شماره سریال را بفرستید.")
    return ticket


def held_email(client, ticket, customer, message_id="<held@mail.example.com>") -> InboundEmail:
    post_postmark(client, eml(subject=ref(ticket), message_id=message_id, auth="fail"))
    row = stored(message_id)
    assert row.state == State.HELD
    return row


# --- staff addresses -----------------------------------------------------------------------------------------------


def test_a_forged_agent_from_with_the_subject_tag_becomes_an_unverified_internal_note(client, worked, agent, customer):
    before = to_customer(customer)
    raw = eml(sender=f"Ali <{agent.email}>", subject=ref(worked), message_id="<forged-agent@x>", auth="fail")
    assert post_postmark(client, raw).status_code == 200
    row = stored("<forged-agent@x>")
    assert row.state == State.NOTE and row.ticket == worked and row.sender_verdict == Verdict.FAIL
    assert "dmarc=fail" in row.reason
    note = worked.messages.order_by("pk").last()
    assert note.is_internal and note.sender_unverified and note.author is None
    assert agent.email in note.body and "The printer on the second floor" in note.body
    assert not worked.messages.filter(is_internal=False, author=agent, body__contains="second floor").exists()
    assert to_customer(customer) == before  # nothing told the customer


def test_a_forged_agent_from_to_the_signed_reply_address_is_still_only_a_note(client, worked, agent, customer):
    raw = eml(sender=agent.email, to=reply_address(worked.pk), message_id="<forged-token@x>", auth="fail")
    post_postmark(client, raw, recipient=reply_address(worked.pk))
    assert stored("<forged-token@x>").state == State.NOTE
    assert worked.messages.filter(is_internal=False).count() == 2  # the question and the agent's own answer


def test_a_verified_agent_reply_by_email_is_a_public_reply(client, worked, agent):
    post_postmark(client, eml(sender=agent.email, subject=ref(worked), message_id="<agent-ok@x>"))
    row = stored("<agent-ok@x>")
    assert row.state == State.REPLY and row.sender_verdict == Verdict.PASS and row.reason == ""
    reply = Message.objects.get(message_id="<agent-ok@x>")
    assert reply.author == agent and not reply.is_internal and not reply.sender_unverified


def test_a_pass_claimed_under_another_authserv_id_is_a_forgery_and_ignored(client, worked, agent):
    forged = authentication_results(agent.email, "pass", authserv_id="mx.google.com")
    raw = eml(sender=agent.email, subject=ref(worked), message_id="<other-id@x>", auth=None, headers=[forged])
    post_postmark(client, raw)
    row = stored("<other-id@x>")
    assert row.state == State.NOTE and row.sender_verdict == Verdict.NONE


def test_without_an_authserv_id_configured_no_sender_is_verified(client, settings, worked, agent):
    settings.INBOUND_AUTHSERV_ID = []
    post_postmark(client, eml(sender=agent.email, subject=ref(worked), message_id="<no-id@x>"))
    assert stored("<no-id@x>").state == State.NOTE


# --- customers ----------------------------------------------------------------------------------------------------


def test_a_forged_customer_reply_by_the_subject_tag_is_held_and_posts_nothing(client, ticket, customer, agent):
    count, before = ticket.messages.count(), to_customer(customer)
    row = held_email(client, ticket, customer)
    assert row.ticket == ticket and row.sender_verdict == Verdict.FAIL and "dmarc=fail" in row.reason
    assert ticket.messages.count() == count and to_customer(customer) == before
    held = TicketEvent.objects.get(ticket=ticket, kind="email_held")
    assert held.actor is None and held.data["sender"] == customer.email
    assert not held.is_public
    told = Notification.objects.filter(event=held)
    assert {n.recipient for n in told} == {agent}  # the department hears of it, the customer does not
    assert {n.state for n in told} == {"sent"}


def test_a_forged_customer_reply_by_in_reply_to_is_held(client, ticket):
    Message.objects.filter(ticket=ticket).update(message_id="<first@helpdesk.example.com>")
    raw = eml(message_id="<irt@x>", headers=["In-Reply-To: <first@helpdesk.example.com>"], auth="fail")
    post_postmark(client, raw)
    assert stored("<irt@x>").state == State.HELD and ticket.messages.count() == 1


def test_a_genuine_customer_reply_is_posted(client, ticket, customer):
    post_postmark(client, eml(subject=ref(ticket), message_id="<genuine@x>"))
    row = stored("<genuine@x>")
    assert row.state == State.REPLY and row.sender_verdict == Verdict.PASS
    assert Message.objects.get(message_id="<genuine@x>").author == customer


def test_a_reply_through_the_signed_reply_address_is_posted_without_a_dmarc_pass(client, ticket, customer):
    address = reply_address(ticket.pk)
    post_postmark(client, eml(to=address, message_id="<token@x>", auth="fail"), recipient=address)
    row = stored("<token@x>")
    assert row.state == State.REPLY and row.sender_verdict == Verdict.FAIL
    reply = Message.objects.get(message_id="<token@x>")
    assert reply.author == customer and not reply.is_internal and not reply.sender_unverified


def test_the_retried_webhook_is_processed_once(client, ticket, worked, agent):
    held = eml(subject=ref(ticket), message_id="<again@x>", auth="fail")
    note = eml(sender=agent.email, subject=ref(worked), message_id="<again-note@x>", auth="fail")
    for _ in range(2):
        assert post_postmark(client, held).status_code == 200
        assert post_postmark(client, note).status_code == 200
    assert InboundEmail.objects.filter(message_id__in=["<again@x>", "<again-note@x>"]).count() == 2
    assert TicketEvent.objects.filter(kind="email_held").count() == 1
    assert Message.objects.filter(sender_unverified=True, is_internal=True).count() == 1


def test_a_new_ticket_from_an_unverified_sender_is_filed_and_marked_for_the_staff(client, department, agent):
    post_postmark(client, eml(sender="reza@example.net", message_id="<new@x>", auth="fail"))
    row = stored("<new@x>")
    assert row.state == State.TICKET and "dmarc=fail" in row.reason
    first = row.ticket.messages.get()
    assert first.sender_unverified and not first.is_internal
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[row.ticket.reference])).content.decode()
    assert "فرستندهٔ تأییدنشده" in page
    client.force_login(row.ticket.requester)
    assert (
        "فرستندهٔ تأییدنشده" not in client.get(reverse("tickets:detail", args=[row.ticket.reference])).content.decode()
    )


def test_a_verified_new_ticket_is_not_marked(client, department):
    post_postmark(client, eml(sender="reza@example.net", message_id="<new-ok@x>"))
    assert not stored("<new-ok@x>").ticket.messages.get().sender_unverified


# --- spam ---------------------------------------------------------------------------------------------------------


def test_mail_the_provider_marks_as_spam_is_kept_aside_never_posted(client, ticket):
    raw = eml(subject=ref(ticket), message_id="<spam@x>", headers=["X-Spam-Status: Yes", "X-Spam-Score: 7.5"])
    assert post_postmark(client, raw).status_code == 200
    row = stored("<spam@x>")
    assert row.state == State.SPAM and row.spam_detected is True and row.spam_score == 7.5
    assert row.ticket is None and ticket.messages.count() == 1 and Ticket.objects.count() == 1


def test_a_spam_score_over_the_setting_is_spam_and_under_it_is_not(client, settings, department):
    settings.INBOUND_SPAM_SCORE = 5.0
    post_postmark(client, eml(sender="a@example.net", message_id="<s1@x>", headers=["X-Spam-Score: 5.0"]))
    post_postmark(client, eml(sender="b@example.net", message_id="<s2@x>", headers=["X-Spam-Score: 4.9"]))
    assert stored("<s1@x>").state == State.SPAM and stored("<s2@x>").state == State.TICKET


# --- the staff decide on a held email -------------------------------------------------------------------------------


def accept_url(row) -> str:
    return reverse("inbound:held_accept", args=[row.pk])


def reject_url(row) -> str:
    return reverse("inbound:held_reject", args=[row.pk])


def test_the_staff_page_shows_the_held_email_with_accept_and_reject(client, ticket, customer, agent):
    row = held_email(client, ticket, customer)
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert 'id="held-emails"' in page and accept_url(row) in page and reject_url(row) in page
    assert "The printer on the second floor prints nothing." in page
    client.force_login(customer)
    page = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert 'id="held-emails"' not in page and "second floor" not in page


def test_accepting_posts_it_once_as_the_customers_reply(client, ticket, customer, agent):
    row = held_email(client, ticket, customer)
    client.force_login(agent)
    with committed():
        response = client.post(accept_url(row))
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[ticket.reference])
    row.refresh_from_db()
    assert row.state == State.REPLY and row.reason.startswith("پذیرفته‌شده به دست ")  # written in Persian
    reply = Message.objects.get(message_id=row.message_id)
    assert reply.author == customer and not reply.is_internal and reply.ticket == ticket
    accepted = TicketEvent.objects.get(ticket=ticket, kind="email_accepted")
    assert accepted.actor == agent and accepted.data == {"inbound": row.pk, "sender": customer.email}
    assert TicketEvent.objects.filter(ticket=ticket, kind="replied", actor=customer).count() == 1

    again = client.post(accept_url(row), follow=True)  # a second click
    assert again.status_code == 200
    assert "پیش‌تر پذیرفته یا رد شده" in " ".join(str(m) for m in again.context["messages"])
    assert client.post(reject_url(row)).status_code == 302
    row.refresh_from_db()
    assert row.state == State.REPLY and Message.objects.filter(message_id=row.message_id).count() == 1
    assert TicketEvent.objects.filter(kind__in=["email_accepted", "email_rejected"]).count() == 1


def test_rejecting_discards_it(client, ticket, customer, agent):
    row = held_email(client, ticket, customer)
    count = ticket.messages.count()
    client.force_login(agent)
    response = client.post(reject_url(row), follow=True)
    assert response.status_code == 200
    assert "رد شد" in " ".join(str(m) for m in response.context["messages"])
    row.refresh_from_db()
    assert row.state == State.REJECTED and ticket.messages.count() == count
    rejected = TicketEvent.objects.get(ticket=ticket, kind="email_rejected")
    assert rejected.actor == agent and customer.email in rejected.description
    assert 'id="held-emails"' not in response.content.decode()


def test_accepting_on_a_closed_ticket_is_refused_and_changes_nothing(client, ticket, customer, agent):
    row = held_email(client, ticket, customer)
    services.ticket_close(ticket=ticket, actor=agent)
    client.force_login(agent)
    assert client.post(accept_url(row)).status_code == 404  # closed: nobody replies, nobody decides
    row.refresh_from_db()
    assert row.state == State.HELD and not Message.objects.filter(message_id=row.message_id).exists()


def test_accepting_for_a_customer_who_may_no_longer_reply_says_why_and_changes_nothing(client, ticket, customer, agent):
    row = held_email(client, ticket, customer)
    customer.is_active = False  # deactivated meanwhile: their replies are refused
    customer.save(update_fields=["is_active"])
    client.force_login(agent)
    response = client.post(accept_url(row), follow=True)
    assert response.status_code == 200 and response.context["messages"]
    row.refresh_from_db()
    assert row.state == State.HELD and not Message.objects.filter(message_id=row.message_id).exists()
    assert not TicketEvent.objects.filter(kind="email_accepted").exists()


def test_a_customer_or_an_agent_who_does_not_see_the_ticket_gets_a_404(client, ticket, customer, other_agent):
    row = held_email(client, ticket, customer)
    for user in (customer, other_agent):
        client.force_login(user)
        assert client.post(accept_url(row)).status_code == 404
        assert client.post(reject_url(row)).status_code == 404
    client.logout()
    assert client.post(accept_url(row)).status_code == 302  # to the login page
    row.refresh_from_db()
    assert row.state == State.HELD


def test_the_decisions_need_a_post_and_its_csrf_token(client, ticket, customer, agent):
    row = held_email(client, ticket, customer)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    assert strict.get(accept_url(row)).status_code == 405
    assert strict.post(accept_url(row)).status_code == 403
    assert strict.post(reject_url(row)).status_code == 403
    row.refresh_from_db()
    assert row.state == State.HELD


# --- pinned queries ----------------------------------------------------------------------------------------------


@pytest.mark.pins("tickets:detail")
def test_the_staff_page_with_held_emails_runs_one_query_more_however_many(client, ticket, customer, agent):
    client.force_login(agent)
    url = reverse("tickets:detail", args=[ticket.reference])
    pinned_get(client, url, 11)
    for i in range(12):
        held_email(client, ticket, customer, message_id=f"<held{i}@x>")
    client.force_login(agent)
    response = pinned_get(client, url, 11)
    assert response.content.decode().count('action="/inbound/held/') == 2 * 10  # the oldest ten


@pytest.mark.pins("inbound:held_accept", "inbound:held_reject")
def test_the_decisions_query_counts(client, ticket, customer, agent):
    first, second = (held_email(client, ticket, customer, message_id=f"<q{i}@x>") for i in range(2))
    client.force_login(agent)
    client.get(reverse("tickets:detail", args=[ticket.reference]))  # caches warm
    with assert_queries(10):
        assert client.post(reject_url(first)).status_code == 302
    with assert_queries(29):  # + the customers who follow the ticket (their status-change notice)
        assert client.post(accept_url(second)).status_code == 302

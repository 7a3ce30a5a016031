"""The staff ticket page: thread with notes, timeline, reply/note, canned responses, and every action form."""

import datetime as dt

import pytest
import time_machine

from accounts.tests.factories import AgentFactory
from helpdesk.l10n import TEHRAN
from helpdesk.tests.pins import pinned_get
from tickets import services
from tickets.models import CannedResponse, Message, Status, TicketEvent

from .factories import CannedResponseFactory, DepartmentFactory, PriorityFactory, TicketTypeFactory
from .views_support import html_file, png, ticket_url

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


# --- the page -----------------------------------------------------------------------------------------------


def test_notes_look_different_and_the_timeline_shows_every_event(staff_client, agent, ticket):
    services.note_add(ticket=ticket, author=agent, body="یادداشت داخلی")
    services.ticket_assign(ticket=ticket, agent=agent, actor=agent)
    response = staff_client.get(ticket_url("detail", ticket))
    html = response.content.decode()
    assert "یادداشت داخلی" in html and "tk-note" in html
    kinds = [e.kind for e in response.context["page"].events]
    assert kinds == ["created", "noted", "assigned"]


@pytest.mark.pins("tickets:detail")
def test_query_count_does_not_grow_with_messages_tags_files_and_events(staff_client, agent, customer, ticket):
    CannedResponseFactory()
    url = ticket_url("detail", ticket)
    pinned_get(staff_client, url, 23)
    for i in range(10):
        services.reply_add(ticket=ticket, author=agent, body=f"پاسخ {i}", attachments=[png(f"{i}.png")])
        services.reply_add(ticket=ticket, author=customer, body=f"پرسش {i}")
        services.note_add(ticket=ticket, author=agent, body=f"یادداشت {i}", attachments=[png(f"n{i}.png")])
    services.ticket_set_tags(ticket=ticket, tags=[f"برچسب {i}" for i in range(30)], actor=agent)
    for i in range(5):
        CannedResponseFactory(title=f"آماده {i}")
    response = pinned_get(staff_client, url, 23)
    assert len(response.context["page"].messages) == 31
    assert len(response.context["page"].events) > 30


# --- reply and note -----------------------------------------------------------------------------------------


def test_reply_and_set_status(staff_client, agent, ticket):
    response = staff_client.post(
        ticket_url("reply", ticket),
        {"body": "لطفاً شماره سریال را بفرستید.", "status": Status.WAITING, "last_seen": ticket.messages.get().pk},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING and ticket.first_response_at is not None
    reply = ticket.messages.latest("pk")
    assert reply.author == agent and not reply.is_internal


def test_note_with_attachment_is_internal(staff_client, agent, ticket):
    response = staff_client.post(ticket_url("note", ticket), {"body": "بررسی شد", "attachments": [png()]})
    assert response.status_code == 302
    note = ticket.messages.latest("pk")
    assert note.is_internal and note.attachments.count() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # a note changes nothing the customer sees


def test_empty_note_is_refused(staff_client, ticket):
    before = Message.objects.count()
    response = staff_client.post(ticket_url("note", ticket), {"body": ""})
    assert response.status_code == 400 and response.context["reply_form"].errors["body"]
    assert Message.objects.count() == before


def test_reply_with_a_forbidden_transition_is_refused(staff_client, agent, ticket):
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    ticket.refresh_from_db()
    before = Message.objects.count()
    last = ticket.messages.latest("pk").pk
    response = staff_client.post(
        ticket_url("reply", ticket), {"body": "x", "status": Status.WAITING, "last_seen": last}
    )
    assert response.status_code == 400
    assert response.context["reply_form"].errors["status"]
    assert Message.objects.count() == before


def test_bad_file_on_a_reply_keeps_the_draft(staff_client, ticket):
    before = Message.objects.count()
    response = staff_client.post(ticket_url("reply", ticket), {"body": "پیش‌نویس", "attachments": [html_file()]})
    assert response.status_code == 400
    assert "پیش‌نویس" in response.content.decode()
    assert Message.objects.count() == before


# --- B7: a reply that arrived while writing ----------------------------------------------------------------


def test_newer_public_reply_stops_the_send_and_shows_it(staff_client, customer, agent, ticket):
    page = staff_client.get(ticket_url("detail", ticket))
    last_seen = page.context["reply_form"].initial["last_seen"]
    assert last_seen == ticket.messages.get().pk
    services.reply_add(ticket=ticket, author=customer, body="یک نکته دیگر هم هست")
    before = Message.objects.count()

    response = staff_client.post(ticket_url("reply", ticket), {"body": "پاسخ من", "last_seen": last_seen})

    assert response.status_code == 409
    assert Message.objects.count() == before  # nothing sent
    html = response.content.decode()
    assert "یک نکته دیگر هم هست" in html and 'id="newer-replies"' in html
    form = response.context["reply_form"]
    assert form["body"].value() == "پاسخ من"  # the draft is kept
    assert form.data["confirm"] == "1" and form.cleaned_data["confirm"] is True  # the second submit confirms

    confirmed = staff_client.post(
        ticket_url("reply", ticket), {"body": "پاسخ من", "last_seen": form.data["last_seen"], "confirm": "1"}
    )
    assert confirmed.status_code == 302
    assert ticket.messages.latest("pk").body == "پاسخ من"


def test_internal_notes_do_not_trigger_the_warning(staff_client, agent, ticket):
    last_seen = ticket.messages.get().pk
    other = AgentFactory()
    ticket.department.members.add(other)
    services.note_add(ticket=ticket, author=other, body="یادداشت همکار")
    response = staff_client.post(ticket_url("reply", ticket), {"body": "پاسخ", "last_seen": last_seen})
    assert response.status_code == 302


# --- canned responses (F03) ---------------------------------------------------------------------------------


def test_canned_response_fills_the_box_without_javascript(staff_client, agent, customer, ticket):
    canned = CannedResponseFactory(body="سلام {customer_name}، درخواست {ticket_reference} را {agent_name} بررسی کرد.")
    response = staff_client.post(ticket_url("canned", ticket), {"canned": canned.pk, "body": "پیش‌نویس"})
    assert response.status_code == 200
    body = response.context["reply_form"]["body"].value()
    assert body == f"پیش‌نویس\n\nسلام {customer.full_name}، درخواست {ticket.reference} را {agent.full_name} بررسی کرد."
    assert Message.objects.filter(ticket=ticket).count() == 1  # nothing sent


def test_canned_response_with_htmx_returns_the_box(staff_client, customer, ticket):
    canned = CannedResponseFactory(body="سلام {customer_name} {unknown}")
    response = staff_client.post(
        ticket_url("canned", ticket), {"canned": canned.pk, "body": ""}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="reply-body"')
    assert f"سلام {customer.full_name} {{unknown}}" in html


def test_only_available_canned_responses_are_offered_and_accepted(staff_client, ticket):
    other = CannedResponseFactory(scope=CannedResponse.Scope.PERSONAL, owner=AgentFactory(), body="مال دیگری")
    page = staff_client.get(ticket_url("detail", ticket))
    assert other not in page.context["canned_form"].fields["canned"].queryset
    response = staff_client.post(ticket_url("canned", ticket), {"canned": other.pk, "body": "پیش‌نویس"})
    assert "مال دیگری" not in response.context["reply_form"]["body"].value()
    assert _messages(response)


# --- assignment, transfer, status, priority, type, tags, due, pin, follow, merge ----------------------------


def test_take_and_assign(staff_client, agent, supervisor, ticket):
    staff_client.post(ticket_url("take", ticket))
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    staff_client.post(ticket_url("assign", ticket), {"agent": supervisor.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == supervisor
    staff_client.post(ticket_url("assign", ticket), {"agent": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_assign_to_an_agent_outside_the_department_is_refused(staff_client, other_agent, ticket):
    response = staff_client.post(ticket_url("assign", ticket), {"agent": other_agent.pk}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert not TicketEvent.objects.filter(ticket=ticket, kind="assigned").exists()


def test_transfer_with_a_note(staff_client, agent, ticket):
    billing = DepartmentFactory(name="مالی")
    response = staff_client.post(
        ticket_url("transfer", ticket), {"department": billing.pk, "note": "مربوط به فاکتور است"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.department == billing
    event = TicketEvent.objects.get(ticket=ticket, kind="transferred")
    assert event.data["note"] == "مربوط به فاکتور است"


def test_transfer_without_a_department_is_refused(staff_client, department, ticket):
    response = staff_client.post(ticket_url("transfer", ticket), {"department": "", "note": "x"}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.department == department


def test_status_change_and_refused_transition(staff_client, agent, ticket):
    staff_client.post(ticket_url("status", ticket), {"status": Status.ON_HOLD})
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD
    response = staff_client.post(ticket_url("status", ticket), {"status": "bogus"}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD


def test_priority_type_tags(staff_client, ticket):
    urgent = PriorityFactory(name="فوری", order=9)
    kind = TicketTypeFactory(name="سخت‌افزار")
    staff_client.post(ticket_url("priority", ticket), {"priority": urgent.pk})
    staff_client.post(ticket_url("type", ticket), {"type": kind.pk})
    staff_client.post(ticket_url("tags", ticket), {"tags": "چاپگر، طبقه دوم, چاپگر"})
    ticket.refresh_from_db()
    assert ticket.priority == urgent and ticket.type == kind
    assert set(ticket.tags.names()) == {"چاپگر", "طبقه دوم"}


def test_inactive_type_is_refused(staff_client, ticket):
    retired = TicketTypeFactory(name="قدیمی", is_active=False)
    response = staff_client.post(ticket_url("type", ticket), {"type": retired.pk}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.type is None and not TicketEvent.objects.filter(ticket=ticket, kind="type").exists()


def test_bad_priority_and_too_long_tag_change_nothing(staff_client, priority, ticket):
    response = staff_client.post(ticket_url("priority", ticket), {"priority": "999999"}, follow=True)
    assert _messages(response)
    response = staff_client.post(ticket_url("tags", ticket), {"tags": "x" * 101}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.priority == priority and list(ticket.tags.names()) == []


@time_machine.travel(dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC))
def test_due_dates_in_jalali(staff_client, ticket):
    response = staff_client.post(
        ticket_url("due", ticket), {"first_response_due": "۱۴۰۳/۱۲/۱۵ ۰۹:۳۰", "resolution_due": "1403/12/20 17:00"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_response_due == dt.datetime(2025, 3, 5, 9, 30, tzinfo=TEHRAN)
    assert ticket.resolution_due == dt.datetime(2025, 3, 10, 17, 0, tzinfo=TEHRAN)
    page = staff_client.get(ticket_url("detail", ticket)).content.decode()
    assert "مانده" in page  # time left badge


def test_bad_due_dates_change_nothing(staff_client, ticket):
    response = staff_client.post(ticket_url("due", ticket), {"resolution_due": "1404/12/30 10:00"}, follow=True)
    assert "۱۴۰۴" in _messages(response)  # 1404 is not a leap year: no 30 Esfand
    response = staff_client.post(
        ticket_url("due", ticket),
        {"first_response_due": "1403/12/20 10:00", "resolution_due": "1403/12/10 10:00"},
        follow=True,
    )
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.first_response_due is None and ticket.resolution_due is None


def test_pin_and_unpin(staff_client, ticket):
    staff_client.post(ticket_url("pin", ticket), {"pinned": "1"})
    ticket.refresh_from_db()
    assert ticket.is_pinned
    staff_client.post(ticket_url("pin", ticket), {"pinned": "0"})
    ticket.refresh_from_db()
    assert not ticket.is_pinned


def test_follow_and_unfollow(staff_client, agent, ticket):
    staff_client.post(ticket_url("follow", ticket))
    assert ticket.followers.filter(pk=agent.pk).exists()
    page = staff_client.get(ticket_url("detail", ticket))
    assert page.context["is_following"]
    staff_client.post(ticket_url("unfollow", ticket))
    assert not ticket.followers.filter(pk=agent.pk).exists()


def test_merge_into_another_ticket_of_the_same_requester(staff_client, make_ticket):
    source, target = make_ticket(subject="اولی"), make_ticket(subject="دومی")
    response = staff_client.post(ticket_url("merge", source), {"target": f"#{target.reference}"})
    assert response["Location"] == ticket_url("detail", target)
    source.refresh_from_db()
    assert source.merged_into == target and source.status == Status.CLOSED
    assert target.messages.count() == 2


@pytest.mark.parametrize("value", ["", "abc", "1234567"])
def test_merge_with_a_bad_reference_changes_nothing(staff_client, ticket, value):
    response = staff_client.post(ticket_url("merge", ticket), {"target": value}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.merged_into is None and ticket.status == Status.NEW


def test_merge_into_an_invisible_ticket_is_refused(staff_client, make_ticket, stranger):
    hidden_department = DepartmentFactory()
    hidden = make_ticket(requester=stranger, department=hidden_department)
    ticket = make_ticket()
    response = staff_client.post(ticket_url("merge", ticket), {"target": hidden.reference}, follow=True)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_closed_ticket_offers_no_actions(staff_client, agent, ticket):
    services.ticket_close(ticket=ticket, actor=agent)
    html = staff_client.get(ticket_url("detail", ticket)).content.decode()
    assert ticket_url("assign", ticket) not in html and ticket_url("status", ticket) not in html
    assert 'name="send"' not in html  # no reply; internal notes stay possible
    response = staff_client.post(ticket_url("take", ticket), follow=True)
    assert "بسته" in _messages(response)

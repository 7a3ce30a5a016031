"""The staff ticket page: thread with notes, timeline, reply/note, canned responses, the sidebar's one form and
the one-click actions."""

import datetime as dt

import pytest
import time_machine

from accounts.tests.factories import AgentFactory
from helpdesk.l10n import TEHRAN
from helpdesk.persian import to_persian_digits
from helpdesk.tests.pins import assert_queries, pinned_get
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
    pinned_get(staff_client, url, 11)
    for i in range(10):
        services.reply_add(ticket=ticket, author=agent, body=f"پاسخ {i}", attachments=[png(f"{i}.png")])
        services.reply_add(ticket=ticket, author=customer, body=f"پرسش {i}")
        services.note_add(ticket=ticket, author=agent, body=f"یادداشت {i}", attachments=[png(f"n{i}.png")])
    services.ticket_set_tags(ticket=ticket, tags=[f"برچسب {i}" for i in range(30)], actor=agent)
    for i in range(5):
        CannedResponseFactory(title=f"آماده {i}")
    response = pinned_get(staff_client, url, 11)
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
    reference = to_persian_digits(ticket.reference)  # Persian digits on a Persian page (#13)
    assert body == f"پیش‌نویس\n\nسلام {customer.full_name}، درخواست {reference} را {agent.full_name} بررسی کرد."
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


# --- the sidebar: one form, one save (status, priority, assignee, department, type, tags, due) ---------------


def _page_form(client, ticket):
    """What the browser posts when nothing is touched: every field of the sidebar form at its shown value."""
    form = client.get(ticket_url("detail", ticket)).context["update_form"]
    data = {}
    for name in form.FIELDS:
        value = form[name].value()
        if isinstance(value, dt.datetime):
            value = form[name].field.widget.format_value(value)  # as shown: Jalali, Tehran time
        data[name] = "" if value is None else str(value)
    return data


def _update(client, ticket, **changes):
    return client.post(ticket_url("update", ticket), {**_page_form(client, ticket), **changes})


def _select(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}" id="id_ticket_{name}"')
    return html[start : html.index("</select>", start)]


def test_every_control_starts_at_the_current_value(staff_client, agent, supervisor, ticket):
    """#13: the status drop-down preselected «در انتظار مشتری» on an open ticket."""
    urgent = PriorityFactory(name="فوری", order=9)
    kind = TicketTypeFactory(name="سخت‌افزار")
    services.ticket_change_status(ticket=ticket, status=Status.OPEN, actor=agent)
    services.ticket_change_priority(ticket=ticket, priority=urgent, actor=agent)
    services.ticket_change_type(ticket=ticket, type=kind, actor=agent)
    services.ticket_assign(ticket=ticket, agent=supervisor, actor=agent)
    services.ticket_set_tags(ticket=ticket, tags=["چاپگر"], actor=agent)
    html = staff_client.get(ticket_url("detail", ticket)).content.decode()
    assert f'<option value="{Status.OPEN}" selected>' in _select(html, "status")
    assert " selected" not in _select(html, "status").replace(f'value="{Status.OPEN}" selected', "")
    assert f'<option value="{urgent.pk}" selected>' in _select(html, "priority")
    assert f'<option value="{kind.pk}" selected>' in _select(html, "type")
    assert f'<option value="{supervisor.pk}" selected>' in _select(html, "assignee")
    assert f'<option value="{ticket.department_id}" selected>' in _select(html, "department")
    assert 'value="چاپگر"' in html
    assert html.count('name="csrfmiddlewaretoken"') and html.count(ticket_url("update", ticket)) == 1


@time_machine.travel(dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC))
def test_one_save_calls_one_service_per_changed_field(staff_client, agent, supervisor, ticket):
    urgent = PriorityFactory(name="فوری", order=9)
    kind = TicketTypeFactory(name="سخت‌افزار")
    before = set(TicketEvent.objects.filter(ticket=ticket).values_list("pk", flat=True))
    response = _update(
        staff_client,
        ticket,
        status=Status.ON_HOLD,
        priority=urgent.pk,
        type=kind.pk,
        tags="چاپگر، طبقه دوم, چاپگر",
        assignee=supervisor.pk,
        resolution_due="۱۴۰۳/۱۲/۲۰ ۱۷:۰۰",
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD and ticket.priority == urgent and ticket.type == kind
    assert ticket.assignee == supervisor and set(ticket.tags.names()) == {"چاپگر", "طبقه دوم"}
    assert ticket.resolution_due == dt.datetime(2025, 3, 10, 17, 0, tzinfo=TEHRAN)
    new = TicketEvent.objects.filter(ticket=ticket).exclude(pk__in=before).order_by("pk")
    assert [e.kind for e in new] == ["priority", "type", "tags", "due", "status", "assigned"]  # one each
    assert new.get(kind="due").data["field"] == "resolution_due"  # the first response due was left alone


def test_saving_the_form_untouched_records_nothing(staff_client, agent, ticket):
    services.ticket_set_due(ticket=ticket, actor=agent, first_response_due=ticket.created_at + dt.timedelta(hours=3))
    before = TicketEvent.objects.filter(ticket=ticket).count()
    response = _update(staff_client, ticket)
    assert response.status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket).count() == before
    assert "تغییری" in " ".join(m.message for m in staff_client.get(response["Location"]).context["messages"])


def test_fields_missing_from_the_post_are_left_alone(staff_client, agent, ticket):
    kind = TicketTypeFactory(name="سخت‌افزار")
    services.ticket_change_type(ticket=ticket, type=kind, actor=agent)
    services.ticket_set_tags(ticket=ticket, tags=["چاپگر"], actor=agent)
    urgent = PriorityFactory(name="فوری", order=9)
    response = staff_client.post(ticket_url("update", ticket), {"priority": urgent.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == urgent and ticket.type == kind and list(ticket.tags.names()) == ["چاپگر"]


def test_a_new_department_is_one_transfer_with_the_note_and_the_agent(staff_client, agent, ticket):
    billing = DepartmentFactory(name="مالی")
    accountant = AgentFactory(full_name="مینا حسابدار")
    billing.members.add(accountant)
    before = TicketEvent.objects.filter(ticket=ticket).count()
    response = _update(staff_client, ticket, department=billing.pk, assignee=accountant.pk, note="مربوط به فاکتور است")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.department == billing and ticket.assignee == accountant
    new = TicketEvent.objects.filter(ticket=ticket).order_by("pk")[before:]
    assert [e.kind for e in new] == ["transferred"]
    assert new[0].data["note"] == "مربوط به فاکتور است"


def test_take_stays_one_click(staff_client, agent, ticket):
    staff_client.post(ticket_url("take", ticket))
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def _refused(response, *texts):
    assert response.status_code == 400
    html = response.content.decode()
    for text in texts:
        assert text in html, text
    assert "هیچ چیز ذخیره نشد" in html
    return response.context["update_form"]


def _unchanged(ticket, snapshot):
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority_id, ticket.type_id, ticket.assignee_id, ticket.department_id) == snapshot[0]
    assert (ticket.first_response_due, ticket.resolution_due, sorted(ticket.tags.names())) == snapshot[1]
    assert TicketEvent.objects.filter(ticket=ticket).count() == snapshot[2]


def _snapshot(ticket):
    ticket.refresh_from_db()
    return (
        (ticket.status, ticket.priority_id, ticket.type_id, ticket.assignee_id, ticket.department_id),
        (ticket.first_response_due, ticket.resolution_due, sorted(ticket.tags.names())),
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


def test_a_forbidden_transition_saves_nothing_of_the_form(staff_client, agent, ticket):
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    urgent = PriorityFactory(name="فوری", order=9)
    snapshot = _snapshot(ticket)
    # The priority is saved first, then the status is refused: the priority change is rolled back with it.
    response = _update(staff_client, ticket, priority=urgent.pk, tags="فوری", status=Status.WAITING)
    _refused(response, "وضعیت تیکت نمی‌تواند از «حل‌شده» به «در انتظار مشتری» تغییر کند.")
    _unchanged(ticket, snapshot)


def test_an_assignee_outside_the_department_saves_nothing(staff_client, other_agent, ticket):
    urgent = PriorityFactory(name="فوری", order=9)
    snapshot = _snapshot(ticket)
    response = _update(staff_client, ticket, priority=urgent.pk, assignee=other_agent.pk)
    form = _refused(response, "عضو واحد «\u2068پشتیبانی فنی\u2069» نیست.")  # the name isolated (#13)
    assert form["priority"].value() == str(urgent.pk)  # what was typed is kept
    _unchanged(ticket, snapshot)


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("status", "bogus", "یکی از وضعیت‌های فهرست را انتخاب کنید."),
        ("assignee", "999999", "یک کارشناس از فهرست انتخاب کنید"),
        ("assignee", "abc", "یک کارشناس از فهرست انتخاب کنید"),
        ("priority", "999999", "یکی از گزینه‌های فهرست را انتخاب کنید."),
        ("resolution_due", "1404/12/30 10:00", "۱۴۰۴"),  # 1404 is not a leap year: no 30 Esfand
        ("resolution_due", "فردا ساعت ده", "تاریخ و ساعت شمسی"),
        ("first_response_due", "۱۴۰۳/۱۲/۲۰ ۲۵:۰۰", "ساعت"),
        ("tags", "x" * 101, "۱۰۰"),
    ],
)
def test_bad_input_gives_a_persian_message_and_saves_nothing(staff_client, ticket, field, value, text):
    urgent = PriorityFactory(name="فوری", order=9)
    snapshot = _snapshot(ticket)
    changes = {"priority": urgent.pk, field: value} if field != "priority" else {field: value}
    response = _update(staff_client, ticket, **changes)
    assert response.status_code == 400
    form = response.context["update_form"]
    assert text in " ".join(str(e) for errors in form.errors.values() for e in errors)
    assert text in response.content.decode()
    _unchanged(ticket, snapshot)


def test_due_times_in_the_wrong_order_and_an_inactive_type_save_nothing(staff_client, ticket):
    retired = TicketTypeFactory(name="قدیمی", is_active=False)
    snapshot = _snapshot(ticket)
    response = _update(staff_client, ticket, first_response_due="1403/12/20 10:00", resolution_due="1403/12/10 10:00")
    _refused(response, "مهلت")
    response = _update(staff_client, ticket, type=retired.pk)
    assert response.status_code == 400
    _unchanged(ticket, snapshot)


@time_machine.travel(dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC))
def test_due_dates_in_jalali_any_digits(staff_client, ticket):
    response = _update(staff_client, ticket, first_response_due="۱۴۰۳/۱۲/۱۵ ۰۹:۳۰", resolution_due="١٤٠٣/١٢/٢٠ 17:00")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_response_due == dt.datetime(2025, 3, 5, 9, 30, tzinfo=TEHRAN)
    assert ticket.resolution_due == dt.datetime(2025, 3, 10, 17, 0, tzinfo=TEHRAN)
    page = staff_client.get(ticket_url("detail", ticket)).content.decode()
    assert "مانده" in page  # time left badge
    assert 'value="۱۴۰۳/۱۲/۱۵ ۰۹:۳۰"' in page and "data-jdp" in page  # shown back, with the picker


def test_the_sidebar_post_runs_a_fixed_number_of_queries(staff_client, agent, supervisor, ticket):
    urgent = PriorityFactory(name="فوری", order=9)
    data = _page_form(staff_client, ticket)
    with assert_queries(8):
        staff_client.post(ticket_url("update", ticket), data)  # nothing changed
    with assert_queries(33):
        response = staff_client.post(
            ticket_url("update", ticket), {**data, "priority": urgent.pk, "assignee": supervisor.pk}
        )
    assert response.status_code == 302
    outsider = AgentFactory()
    refused = {**data, "priority": PriorityFactory(name="کم", order=1).pk, "assignee": outsider.pk}
    with assert_queries(43):  # refused (outside the department): rolled back, the page shown again with the reason
        response = staff_client.post(ticket_url("update", ticket), refused)
    assert response.status_code == 400


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


def test_the_merge_field_and_its_message_use_persian_digits(staff_client, ticket):
    html = staff_client.get(ticket_url("detail", ticket)).content.decode()
    assert 'placeholder="۴۸۳۰۲۷۱"' in html and 'placeholder="4830271"' not in html
    response = staff_client.post(ticket_url("merge", ticket), {"target": "۱۲۳۴۵۶۷"}, follow=True)
    assert "تیکتی با شمارهٔ #۱۲۳۴۵۶۷ که" in _messages(response)


def test_closed_ticket_offers_no_actions(staff_client, agent, ticket):
    services.ticket_close(ticket=ticket, actor=agent)
    html = staff_client.get(ticket_url("detail", ticket)).content.decode()
    assert ticket_url("update", ticket) not in html and ticket_url("take", ticket) not in html
    assert 'name="send"' not in html  # no reply; internal notes stay possible
    response = staff_client.post(ticket_url("take", ticket), follow=True)
    assert "بسته" in _messages(response)

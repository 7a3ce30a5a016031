"""The agent queue: visibility, filters, sorting, search, quick views, saved filters, bulk actions, query counts."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Organisation
from accounts.tests.factories import AgentFactory, CustomerFactory, OrganisationFactory
from helpdesk import jalali
from helpdesk.l10n import TEHRAN
from helpdesk.models import SiteSettings
from helpdesk.tests.pins import pinned_get
from tickets import services
from tickets.models import Channel, SavedFilter, Status, TaggedTicket, Ticket

from .factories import DepartmentFactory, PriorityFactory, SavedFilterFactory, TicketFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

QUEUE = "/tickets/queue/"


def refs(response) -> list[str]:
    return [t.reference for t in response.context["page_obj"].object_list]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def test_customers_get_a_404(client, customer):
    client.force_login(customer)
    assert client.get(QUEUE).status_code == 404


def test_agent_sees_their_departments_tickets_only(staff_client, department, make_ticket):
    mine = make_ticket()
    elsewhere = TicketFactory(department=DepartmentFactory())
    response = staff_client.get(QUEUE)
    assert refs(response) == [mine.reference]
    assert elsewhere.reference not in response.content.decode()


def test_default_view_is_work_still_to_do_pinned_first(staff_client, agent, department):
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    old = TicketFactory(department=department, last_activity_at=now - dt.timedelta(days=3))
    recent = TicketFactory(department=department, last_activity_at=now)
    pinned = TicketFactory(department=department, is_pinned=True, last_activity_at=now - dt.timedelta(days=9))
    TicketFactory(department=department, status=Status.RESOLVED, last_activity_at=now)
    TicketFactory(department=department, status=Status.CLOSED, closed_at=now, last_activity_at=now)
    assert refs(staff_client.get(QUEUE)) == [pinned.reference, recent.reference, old.reference]


def test_sorts(staff_client, department):
    low, high = PriorityFactory(order=1), PriorityFactory(order=5)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    a = TicketFactory(department=department, priority=low, created_at=base, resolution_due=base + dt.timedelta(days=1))
    b = TicketFactory(department=department, priority=high, created_at=base + dt.timedelta(hours=1))
    c = TicketFactory(department=department, priority=None, created_at=base + dt.timedelta(hours=2),
                      resolution_due=base + dt.timedelta(hours=5))  # fmt: skip
    assert refs(staff_client.get(QUEUE + "?sort=priority")) == [b.reference, a.reference, c.reference]
    assert refs(staff_client.get(QUEUE + "?sort=due")) == [c.reference, a.reference, b.reference]
    assert refs(staff_client.get(QUEUE + "?sort=created")) == [c.reference, b.reference, a.reference]


def test_filters(staff_client, agent, department):
    other_dept = DepartmentFactory()
    other_dept.members.add(agent)
    kind, urgent = TicketTypeFactory(), PriorityFactory(order=7)
    org = OrganisationFactory()
    buyer = CustomerFactory(organisation=org, full_name="سارا احمدی", email="sara@example.com", mobile="09121112233")
    colleague = AgentFactory()
    department.members.add(colleague)
    t_status = TicketFactory(department=department, status=Status.WAITING)
    t_dept = TicketFactory(department=other_dept)
    t_type = TicketFactory(department=department, type=kind)
    t_priority = TicketFactory(department=department, priority=urgent)
    t_mine = TicketFactory(department=department, assignee=agent)
    t_colleague = TicketFactory(department=department, assignee=colleague)
    t_org = TicketFactory(department=department, requester=buyer)
    t_email = TicketFactory(department=department, channel=Channel.EMAIL)
    t_pinned = TicketFactory(department=department, is_pinned=True)
    t_tag = TicketFactory(department=department)
    t_tag.tags.add("چاپگر", "فوری")
    everything = {
        t.reference
        for t in (t_status, t_dept, t_type, t_priority, t_mine, t_colleague, t_org, t_email, t_pinned, t_tag)
    }

    def only(query):
        return set(refs(staff_client.get(QUEUE + "?" + query)))

    assert only("") == everything
    assert only("status=waiting") == {t_status.reference}
    assert only(f"department={other_dept.pk}") == {t_dept.reference}
    assert only(f"type={kind.pk}") == {t_type.reference}
    assert only(f"priority={urgent.pk}") == {t_priority.reference}
    assert only("assignee=me") == {t_mine.reference}
    assert only(f"assignee={colleague.pk}") == {t_colleague.reference}
    assert only("assignee=none") == everything - {t_mine.reference, t_colleague.reference}
    assert only("tag=چاپگر") == {t_tag.reference}
    assert only("tag=چاپگر,فوری") == {t_tag.reference}  # once, not once per tag
    assert only(f"organisation={org.pk}") == {t_org.reference}
    assert only("organisation=نمونه") == {t_org.reference}  # part of the name
    assert only("requester=sara@example.com") == {t_org.reference}
    assert only("requester=۰۹۱۲۱۱۱۲۲۳۳") == {t_org.reference}
    assert only("requester=احمدی") == {t_org.reference}
    assert only(f"requester={buyer.pk}") == {t_org.reference}
    assert only("channel=email") == {t_email.reference}
    assert only("pinned=on") == {t_pinned.reference}
    assert only("status=any&tag=nothing") == set()


def test_status_any_and_closed(staff_client, department):
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    open_one = TicketFactory(department=department, status=Status.OPEN)
    closed = TicketFactory(department=department, status=Status.CLOSED, closed_at=now)
    assert set(refs(staff_client.get(QUEUE + "?status=any"))) == {open_one.reference, closed.reference}
    assert refs(staff_client.get(QUEUE + "?status=closed")) == [closed.reference]
    assert set(refs(staff_client.get(QUEUE + "?status=active&status=closed"))) == {
        open_one.reference,
        closed.reference,
    }


@time_machine.travel(dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC))
def test_jalali_date_ranges_and_overdue(staff_client, department):
    def tehran(y, m, d, h=12):
        return dt.datetime.combine(jalali.to_gregorian(y, m, d), dt.time(h), tzinfo=TEHRAN)

    first = TicketFactory(department=department, created_at=tehran(1403, 12, 1, 0))
    last_minute = TicketFactory(department=department, created_at=tehran(1403, 12, 15, 23))
    later = TicketFactory(department=department, created_at=tehran(1403, 12, 16, 1))
    overdue = TicketFactory(department=department, resolution_due=tehran(1403, 12, 19))  # 2025-03-09
    due_later = TicketFactory(department=department, resolution_due=tehran(1403, 12, 25))

    def only(query):
        return set(refs(staff_client.get(QUEUE + "?" + query)))

    assert only("created_from=۱۴۰۳/۱۲/۰۱&created_to=1403/12/15") == {first.reference, last_minute.reference}
    assert later.reference in only("created_from=1403/12/16")
    assert only("due_from=1403/12/19&due_to=1403/12/19") == {overdue.reference}
    assert only("overdue=on") == {overdue.reference}
    assert only("view=overdue") == {overdue.reference}
    page = staff_client.get(QUEUE).content.decode()
    assert "گذشته" in page and "مانده" in page  # overdue and time-left badges
    assert due_later.reference in only("due_from=1403/12/20")


def test_filter_form_offers_the_choices_and_keeps_the_values(staff_client, agent, department):
    colleague = AgentFactory(full_name="نرگس توانا")
    html = staff_client.get(QUEUE + f"?department={department.pk}&assignee={colleague.pk}&status=waiting&q=x").content
    html = html.decode()
    assert f'<option value="{department.pk}" selected>{department.name}</option>' in html
    assert f'<option value="{colleague.pk}" selected>نرگس توانا</option>' in html
    assert '<option value="waiting" selected>' in html
    assert 'name="q" id="f-q" class="form-control" maxlength="200" value="x"' in html


def test_bad_filter_input_says_so(staff_client, department):
    TicketFactory(department=department)
    response = staff_client.get(QUEUE + "?created_from=1404/12/30&department=abc")
    assert response.status_code == 200
    errors = response.context["filter"].form.errors
    assert "created_from" in errors and "department" in errors
    assert "alert-danger" in response.content.decode()


@pytest.mark.parametrize("query", ["assignee=²", "requester=²", "organisation=²", "assignee=۱۲", "requester=١٢"])
def test_digits_that_are_no_id_are_no_error(staff_client, department, query):
    TicketFactory(department=department)  # «²» is a digit to str.isdigit and not to int: it is read as a name
    assert staff_client.get(f"{QUEUE}?{query}").status_code == 200


# --- search -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("کتاب فارسی", "كتاب"),  # Arabic kaf and yeh
        ("شماره 123 فاکتور", "۱۲۳"),  # Persian digits find Latin ones
        ("شماره ۴۵۶ فاکتور", "456"),
        ("می‌خواهم", "می خواهم"),  # ZWNJ is a space for matching
        ("درخواست ارتقا", "درخواست ارتق"),  # prefix
    ],
)
def test_search_folds_persian_variants(staff_client, make_ticket, stored, typed):
    hit = make_ticket(subject=stored)
    make_ticket(subject="موضوعی دیگر")
    assert refs(staff_client.get(QUEUE + f"?q={typed}")) == [hit.reference]


def test_search_covers_messages_requester_and_reference(staff_client, agent, customer, make_ticket):
    ticket = make_ticket(subject="بی‌ربط")
    services.reply_add(ticket=ticket, author=agent, body="شناسه سفارش ZX-900 ثبت شد")
    services.note_add(ticket=ticket, author=agent, body="رمز داخلی سری")
    other = make_ticket(subject="دیگری", requester=CustomerFactory(full_name="بهرام"))

    def found(q):
        return refs(staff_client.get(QUEUE + "?" + q))

    assert found("q=zx-900") == [ticket.reference]
    assert found("q=سری") == []  # notes are not searchable
    assert found(f"q={customer.email}") == [ticket.reference]
    assert found(f"q={customer.mobile}") == [ticket.reference]
    assert set(found(f"q={customer.full_name.split()[0]}")) == {ticket.reference}
    persian_ref = other.reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert found(f"q=%23{persian_ref}") == [other.reference]


def test_search_survives_operators_and_quotes(staff_client, make_ticket):
    make_ticket(subject="معمولی")
    for query in ["'", "a & b | !c", "foo:* (", "\\", "''::", "<->", "%", "_"]:
        response = staff_client.get(QUEUE, {"q": query})
        assert response.status_code == 200


# --- quick views --------------------------------------------------------------------------------------------


def test_quick_views(staff_client, agent, department):
    mine = TicketFactory(department=department, assignee=agent)
    free = TicketFactory(department=department)
    followed = TicketFactory(department=DepartmentFactory())
    followed.followers.add(agent)
    assert set(refs(staff_client.get(QUEUE + "?view=mine"))) == {mine.reference}
    assert set(refs(staff_client.get(QUEUE + "?view=unassigned"))) == {free.reference, followed.reference}
    assert set(refs(staff_client.get(QUEUE + "?view=departments"))) == {mine.reference, free.reference}
    page = staff_client.get(QUEUE).content.decode()
    assert "?view=all" not in page  # only for managers


def test_all_is_offered_to_managers(manager_client, department):
    anywhere = TicketFactory(department=DepartmentFactory())
    response = manager_client.get(QUEUE + "?view=all")
    assert "?view=all" in response.content.decode()
    assert anywhere.reference in refs(response)


def test_agent_cannot_widen_with_view_all(staff_client, department):
    hidden = TicketFactory(department=DepartmentFactory())
    response = staff_client.get(QUEUE + "?view=all")
    assert hidden.reference not in refs(response)


# --- saved filters ------------------------------------------------------------------------------------------


def test_save_list_and_delete_a_filter(staff_client, agent):
    response = staff_client.post(
        reverse("tickets:saved_filter_save"), {"name": " فوری‌های من ", "querystring": "view=mine&sort=priority"}
    )
    saved = SavedFilter.objects.get(owner=agent)
    assert saved.name == "فوری‌های من" and saved.querystring == "view=mine&sort=priority"
    assert response["Location"] == QUEUE + "?view=mine&sort=priority"
    page = staff_client.get(QUEUE).content.decode()
    assert "فوری‌های من" in page and 'href="/tickets/queue/?view=mine&amp;sort=priority"' in page
    staff_client.post(reverse("tickets:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_saving_without_a_name_is_refused(staff_client):
    response = staff_client.post(
        reverse("tickets:saved_filter_save"), {"name": "  ", "querystring": "x=1"}, follow=True
    )
    assert _messages(response)
    assert not SavedFilter.objects.exists()


def test_someone_elses_filter_cannot_be_deleted(staff_client):
    theirs = SavedFilterFactory()
    assert staff_client.post(reverse("tickets:saved_filter_delete", args=[theirs.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=theirs.pk).exists()


def test_queue_links_offer_to_save_the_current_querystring(staff_client):
    response = staff_client.get(QUEUE + "?view=mine&page=2&q=")
    assert '<input type="hidden" name="querystring" value="view=mine" id="id_querystring">' in response.content.decode()


# --- bulk actions -------------------------------------------------------------------------------------------


def _bulk(client, tickets, **data):
    return client.post(reverse("tickets:bulk"), {"tickets": [t.pk for t in tickets], **data}, follow=True)


def test_bulk_assign_status_priority_tag_transfer_close(staff_client, agent, department):
    a, b = TicketFactory(department=department), TicketFactory(department=department)
    urgent = PriorityFactory(order=9)
    response = _bulk(staff_client, [a, b], action="assign", agent=agent.pk)
    assert "۲" in _messages(response)
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {agent.pk}
    _bulk(staff_client, [a, b], action="status", status=Status.ON_HOLD)
    _bulk(staff_client, [a, b], action="priority", priority=urgent.pk)
    _bulk(staff_client, [a, b], action="add_tags", tag="پیگیری")
    for ticket in (a, b):
        ticket.refresh_from_db()
        assert ticket.status == Status.ON_HOLD and ticket.priority == urgent
        assert list(ticket.tags.names()) == ["پیگیری"]
    _bulk(staff_client, [a], action="close")
    a.refresh_from_db()
    assert a.status == Status.CLOSED
    target = DepartmentFactory(name="مالی")
    _bulk(staff_client, [b], action="transfer", department=target.pk)
    b.refresh_from_db()
    assert b.department == target


def test_bulk_reports_what_failed(staff_client, agent, department):
    open_one = TicketFactory(department=department)
    closed = TicketFactory(
        department=department, status=Status.CLOSED, closed_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    response = _bulk(staff_client, [open_one, closed], action="status", status=Status.ON_HOLD)
    text = _messages(response)
    closed_ref = closed.reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert closed_ref in text and "۱" in text
    open_one.refresh_from_db()
    assert open_one.status == Status.ON_HOLD


def test_bulk_ignores_tickets_the_user_cannot_see(staff_client, department):
    hidden = TicketFactory(department=DepartmentFactory())
    response = _bulk(staff_client, [hidden], action="close")
    assert _messages(response)
    hidden.refresh_from_db()
    assert hidden.status == Status.NEW


@pytest.mark.parametrize(
    "data",
    [
        {"action": "status"},  # no status
        {"action": "transfer"},  # no department
        {"action": "priority"},
        {"action": "add_tags", "tag": " "},
        {"action": "explode"},
    ],
)
def test_bulk_bad_input_changes_nothing(staff_client, department, data):
    ticket = TicketFactory(department=department)
    response = _bulk(staff_client, [ticket], **data)
    assert _messages(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not TaggedTicket.objects.exists()


def test_bulk_without_selection(staff_client, settings):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = staff_client.post(reverse("tickets:bulk"), {"action": "close"}, follow=True)
    assert _messages(response) == "دست\u200cکم یک تیکت را انتخاب کنید."


def test_bulk_returns_to_a_safe_next_only(staff_client, department):
    ticket = TicketFactory(department=department)
    ok = staff_client.post(
        reverse("tickets:bulk"), {"tickets": [ticket.pk], "action": "close", "next": QUEUE + "?view=mine"}
    )
    assert ok["Location"] == QUEUE + "?view=mine"
    evil = staff_client.post(
        reverse("tickets:bulk"), {"tickets": [ticket.pk], "action": "close", "next": "https://evil.example/"}
    )
    assert evil["Location"] == QUEUE


# --- query counts -------------------------------------------------------------------------------------------


@pytest.mark.pins("tickets:queue")
@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("", 6),
        ("?status=any&sort=priority", 6),
        ("?q=چاپگر", 7),
        ("?tag=چاپگر&assignee=none&view=departments", 6),
        ("?overdue=on", 6),
        ("?department={department}&priority={priority}&status=new&status=open", 6),  # no query to check the ids
    ],
)
def test_query_count_does_not_grow_with_rows(staff_client, agent, department, query, queries):
    SiteSettings.objects.update_or_create(pk=1, defaults={"records_per_page": 50})
    org = OrganisationFactory(sharing=Organisation.Sharing.ALL)
    priority = PriorityFactory()
    query = query.format(department=department.pk, priority=priority.pk)

    def add(n):
        for i in range(n):
            ticket = TicketFactory(
                department=department,
                priority=priority,
                subject=f"چاپگر {i}",
                search_document=f"چاپگر {i}",
                requester=CustomerFactory(organisation=org),
                assignee=None,
                resolution_due=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            )
            ticket.tags.add("چاپگر", f"t{i}")

    add(1)
    url = QUEUE + query
    pinned_get(staff_client, url, queries)
    add(29)
    response = pinned_get(staff_client, url, queries)
    assert len(response.context["page_obj"].object_list) == 30


def test_count_stops_at_the_cap(staff_client, department, monkeypatch):
    monkeypatch.setattr("tickets.views.queue.COUNT_CAP", 3)
    SiteSettings.objects.update_or_create(pk=1, defaults={"records_per_page": 5})
    for _ in range(6):
        TicketFactory(department=department)
    response = staff_client.get(QUEUE)
    paginator = response.context["page_obj"].paginator
    assert paginator.capped and paginator.count == 3
    assert len(response.context["page_obj"].object_list) == 3
    assert "بیش از ۳ تیکت" in response.content.decode()
    monkeypatch.setattr("tickets.views.queue.COUNT_CAP", 6)
    response = staff_client.get(QUEUE)
    assert not response.context["page_obj"].paginator.capped
    assert "۶ تیکت" in response.content.decode()

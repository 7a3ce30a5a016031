"""The queue's option lists are built once a process (`tickets_ui.cached_options`, #15.4), and the filter and bulk
forms' markup kept once a process (`{% cache %}` in `queue.html`): a change to a listed row shows on the next page,
names are escaped, the submitted values are selected, each language and each query string has its own. The
department, type and priority filters are checked against those cached lists, not by a query each."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import AgentFactory
from helpdesk.persian import to_persian_digits
from tickets.options import Options, cached_options
from tickets.templatetags.tickets_ui import tk_select

from .factories import DepartmentFactory, PriorityFactory, TicketFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("tickets:queue")


@pytest.fixture
def staff_client(client, manager, department, ticket):
    client.force_login(manager)
    assert client.get(QUEUE).status_code == 200  # the lists and their option HTML are built
    return client


def select(html: str, select_id: str) -> str:
    match = re.search(rf'<select name="[^"]*" class="form-select" id="{select_id}"[^>]*>.*?</select>', html, re.S)
    assert match, select_id
    return match.group(0)


def page(client, query: str = "") -> str:
    response = client.get(f"{QUEUE}{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("factory", "field", "selects"),
    [
        (DepartmentFactory, "name", ["f-department", "b-department"]),
        (TicketTypeFactory, "name", ["f-type"]),
        (PriorityFactory, "name", ["f-priority", "b-priority"]),
        (AgentFactory, "full_name", ["f-assignee", "b-agent"]),
    ],
    ids=["department", "type", "priority", "agent"],
)
def test_a_rename_shows_on_the_next_page(staff_client, factory, field, selects):
    row = factory(**{field: "نام اول"})
    html = page(staff_client)
    for select_id in selects:
        assert f'<option value="{row.pk}">نام اول</option>' in select(html, select_id)
    setattr(row, field, "نام دوم")
    row.save()
    html = page(staff_client)
    for select_id in selects:
        assert f'<option value="{row.pk}">نام دوم</option>' in select(html, select_id)
        assert "نام اول" not in select(html, select_id)


def test_names_are_escaped(staff_client):
    department = DepartmentFactory(name='<b>"R&D"</b>')
    agent = AgentFactory(full_name="<script>x</script>")
    html = page(staff_client)
    assert f'<option value="{department.pk}">&lt;b&gt;&quot;R&amp;D&quot;&lt;/b&gt;</option>' in html
    assert f'<option value="{agent.pk}">&lt;script&gt;x&lt;/script&gt;</option>' in html
    assert "<script>x" not in html and '<b>"R&D"' not in html


def test_the_submitted_values_are_selected_in_the_filter_only(staff_client, department, priority):
    other = DepartmentFactory()
    html = page(staff_client, f"?department={department.pk}&priority={priority.pk}&status=new&status=open&sort=due")
    assert f'<option value="{department.pk}" selected>' in select(html, "f-department")
    assert f'<option value="{other.pk}">' in select(html, "f-department")
    assert f'<option value="{priority.pk}" selected>' in select(html, "f-priority")
    status = select(html, "f-status")
    assert '<option value="new" selected>' in status and '<option value="open" selected>' in status
    assert status.count(" selected>") == 2
    assert '<option value="due" selected>' in select(html, "f-sort")
    for bulk in ("b-department", "b-priority", "b-status"):  # the bulk form's lists start unchosen
        assert " selected>" not in select(html, bulk)
    assert " selected>" not in select(page(staff_client), "f-department")  # the cached HTML was not changed


def test_each_language_has_its_own_lists(staff_client):
    assert '<option value="open">باز</option>' in select(page(staff_client), "b-status")
    staff_client.cookies["django_language"] = "en"
    assert '<option value="open">Open</option>' in select(page(staff_client), "b-status")


def test_all_tickets_is_offered_only_to_those_who_see_everything(staff_client, client, agent):
    assert '<option value="all">' in select(page(staff_client), "f-view")
    client.force_login(agent)
    assert '<option value="all">' not in select(page(client), "f-view")


def test_a_new_version_rebuilds_and_tk_select_marks_the_chosen():
    first = cached_options("test-list", "1", [("1", "یک"), ("2", "دو")])
    assert cached_options("test-list", "1", [("1", "changed")]) is first  # same version: the HTML as built
    second = cached_options("test-list", "2", [("1", "یک"), ("2", "<دو>")])
    assert isinstance(second, Options) and "&lt;دو&gt;" in second.html
    assert tk_select("n", second, ["2"]) == (
        '<select name="n" class="form-select"><option value="1">یک</option>'
        '<option value="2" selected>&lt;دو&gt;</option></select>'
    )
    assert tk_select("n", second, "1") == tk_select("n", [("1", "یک"), ("2", "<دو>")], "1")


def test_each_query_string_has_its_own_filter_form(staff_client):
    bad = page(staff_client, "?department=abc&q=%3Cb%3Ex")
    assert "alert-danger" in bad and 'value="&lt;b&gt;x"' in bad and "<b>x" not in bad
    again = page(staff_client, "?department=abc&q=%3Cb%3Ex")
    assert again.count("alert-danger") == bad.count("alert-danger") == 1
    clean = page(staff_client)
    assert "alert-danger" not in clean and "&lt;b&gt;x" not in clean
    assert "<details open>" in page(staff_client, "?q=x") and "<details>" in clean


FACTORIES = {"department": DepartmentFactory, "type": TicketTypeFactory, "priority": PriorityFactory}
INVALID_CHOICE = "یک گزینهٔ معتبر انتخاب کنید. آن گزینه از گزینه‌های موجود نیست."


@pytest.mark.parametrize("name", ["department", "type", "priority"])
def test_an_unknown_choice_is_a_clear_error(staff_client, name):
    for value in ("987654", "abc", "²", "99999999999999999999"):
        response = staff_client.get(f"{QUEUE}?{name}={value}")
        assert response.status_code == 200
        assert response.context["filter"].form.errors[name] == [INVALID_CHOICE]
        assert "alert-danger" in response.content.decode()  # said on the page; the other filters still apply


def test_an_inactive_department_is_refused_but_a_retired_type_or_priority_still_filters(
    staff_client, department, ticket
):
    retired = DepartmentFactory(is_active=False)
    response = staff_client.get(f"{QUEUE}?department={retired.pk}")
    assert response.context["filter"].form.errors["department"] == [INVALID_CHOICE]
    for name in ("type", "priority"):
        row = FACTORIES[name](is_active=False)
        setattr(ticket, name, row)
        ticket.save(update_fields=[name])
        TicketFactory(department=department)  # not of it
        response = staff_client.get(f"{QUEUE}?{name}={row.pk}")
        assert response.context["filter"].form.errors == {}
        assert [r.pk for r in response.context["page_obj"].object_list] == [ticket.pk], name


def test_the_listed_filters_take_persian_digits_and_filter(staff_client, department, priority, ticket):
    other = TicketFactory(department=DepartmentFactory(), priority=priority)
    ticket_type = TicketTypeFactory()
    ticket.priority, ticket.type = priority, ticket_type
    ticket.save(update_fields=["priority", "type"])
    for query in (
        f"department={to_persian_digits(str(department.pk))}",
        f"type={ticket_type.pk}&priority={priority.pk}",
    ):
        response = staff_client.get(f"{QUEUE}?{query}")
        assert response.context["filter"].form.errors == {}
        assert [row.pk for row in response.context["page_obj"].object_list] == [ticket.pk], query
    both = staff_client.get(f"{QUEUE}?priority={priority.pk}").context["page_obj"].object_list
    assert {row.pk for row in both} == {ticket.pk, other.pk}

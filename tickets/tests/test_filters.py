"""The queue's FilterSet and search helpers (see also test_views_queue for the page)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.l10n import TEHRAN
from tickets.filters import QueueFilterForm, TicketFilter, search_terms, search_tickets
from tickets.models import Ticket
from tickets.search import fts_query, tsquery

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_search_terms_are_normalised_and_bounded():
    assert search_terms("  كتاب   ۱۲۳ ") == ["کتاب", "123"]
    assert search_terms("SARA@Example.com") == ["sara@example.com"]
    assert search_terms("a a a") == ["a"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == 8
    assert search_terms("'; DROP TABLE x; --") == ["drop", "table", "x"]
    assert search_terms("!!! ???") == []
    assert search_terms("_ @ a_b") == ["a_b"]  # no letter or digit: no term


def test_queries_contain_no_operator_from_the_input():
    terms = search_terms("a | !c <-> 'd' (e):* \"f\" NEAR(g) h*")
    assert tsquery(terms) == "'a':* & 'c':* & 'd':* & 'e':* & 'f':* & 'near':* & 'g':* & 'h':*"
    assert fts_query(terms) == '"a"* AND "c"* AND "d"* AND "e"* AND "f"* AND "near"* AND "g"* AND "h"*'


def test_search_matches_every_word_and_the_reference(site_admin):
    both = TicketFactory(search_document="چاپگر طبقه دوم خراب")
    one = TicketFactory(search_document="چاپگر طبقه اول")
    qs = Ticket.objects.all()
    assert set(search_tickets(qs, "چاپگر دوم")) == {both}
    assert set(search_tickets(qs, "چاپگر")) == {both, one}
    assert set(search_tickets(qs, f"#{one.reference}")) == {one}
    assert set(search_tickets(qs, "   ")) == {both, one}  # nothing to search for: no filter


def test_search_goes_through_the_index(site_admin):
    TicketFactory(search_document="کتاب")
    with CaptureQueriesContext(connection) as ctx:
        found = list(search_tickets(Ticket.objects.all(), "کتاب"))
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert len(found) == 1
    assert "LIKE" not in sql.upper() and "INSTR" not in sql.upper()
    if connection.vendor == "postgresql":  # the stored column, never to_tsvector per row
        assert '"search_vector" @@ to_tsquery' in sql and "to_tsvector" not in sql
    else:
        assert "tickets_ticket_fts MATCH" in sql


@pytest.mark.parametrize("cap", [1000, 1])  # few matches: filtered by id; many: tested along the sort index
def test_search_results_and_order_do_not_depend_on_the_path(site_admin, monkeypatch, cap):
    monkeypatch.setattr("tickets.filters.SEARCH_IDS_CAP", cap)
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    old = TicketFactory(search_document="کتاب الف", last_activity_at=base)
    new = TicketFactory(search_document="کتاب ب", last_activity_at=base + dt.timedelta(days=1))
    pinned = TicketFactory(search_document="کتاب ج", last_activity_at=base - dt.timedelta(days=5), is_pinned=True)
    TicketFactory(search_document="دفتر")
    for sort in ("activity", "created", "due", "priority"):
        filterset = TicketFilter(
            {"q": "كتاب", "status": ["any"], "sort": sort}, queryset=Ticket.objects.all(), user=site_admin
        )
        with CaptureQueriesContext(connection) as ctx:
            results = list(filterset.qs)
        assert set(results) == {old, new, pinned}
        assert results[0] == pinned
        if sort == "activity":
            assert results == [pinned, new, old]
        page_sql = ctx.captured_queries[-1]["sql"]
        row_by_row = "ts_match_vq(" in page_sql or "REGEXP" in page_sql
        assert row_by_row is (cap == 1)


def test_tag_filter_needs_no_distinct(site_admin):
    ticket = TicketFactory()
    ticket.tags.add("الف", "ب")
    filterset = TicketFilter({"tag": "الف, ب", "status": ["any"]}, queryset=Ticket.objects.all(), user=site_admin)
    qs = filterset.qs
    assert not qs.query.distinct
    assert list(qs) == [ticket] and qs.count() == 1


def test_jalali_to_date_includes_the_whole_day(site_admin):
    end_of_day = dt.datetime(2025, 3, 20, 23, 59, tzinfo=TEHRAN)  # 1403/12/30, a leap day
    ticket = TicketFactory(created_at=end_of_day)
    data = {"created_from": "1403/12/30", "created_to": "۱۴۰۳/۱۲/۳۰", "status": ["any"]}
    assert list(TicketFilter(data, queryset=Ticket.objects.all(), user=site_admin).qs) == [ticket]
    data = {"created_to": "1403/12/29", "status": ["any"]}
    assert list(TicketFilter(data, queryset=Ticket.objects.all(), user=site_admin).qs) == []


def test_sort_is_pinned_first_and_defaults_to_last_activity(site_admin):
    filterset = TicketFilter(None, queryset=Ticket.objects.all(), user=site_admin)
    assert filterset.qs.query.order_by == ("-is_pinned", "-last_activity_at")
    unknown = TicketFilter({"sort": "bogus"}, queryset=Ticket.objects.all(), user=site_admin)
    assert unknown.qs.query.order_by == ("-is_pinned", "-last_activity_at")
    assert unknown.form.errors["sort"]


def test_view_all_is_only_offered_to_people_who_see_everything(agent, manager):
    agent_choices = [
        c[0] for c in TicketFilter(None, queryset=Ticket.objects.all(), user=agent).form.fields["view"].choices
    ]
    manager_choices = [
        c[0] for c in TicketFilter(None, queryset=Ticket.objects.all(), user=manager).form.fields["view"].choices
    ]
    assert "all" not in agent_choices and "all" in manager_choices


def test_a_requests_changes_to_the_filter_form_stay_its_own(agent, manager):
    """The form copies only the fields a request changes (`QueueFilterForm.PER_REQUEST_FIELDS`); the rest are
    shared with the form class, so they must be the class's own, unchanged."""
    agent_form = TicketFilter(None, queryset=Ticket.objects.all(), user=agent).form
    manager_form = TicketFilter(None, queryset=Ticket.objects.all(), user=manager).form
    base = type(agent_form).base_fields
    assert list(agent_form.fields) == list(base)
    for name in QueueFilterForm.PER_REQUEST_FIELDS:
        assert agent_form.fields[name] is not base[name] and agent_form.fields[name] is not manager_form.fields[name]
    assert agent_form.fields["status"] is base["status"]
    assert "all" in [c[0] for c in base["view"].choices]  # the agent's narrower list did not reach the class
    assert "all" not in [c[0] for c in agent_form.fields["view"].choices]
    assert "all" in [c[0] for c in manager_form.fields["view"].choices]

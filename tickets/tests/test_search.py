"""The keyword index (`tickets.search`): the same matches on SQLite (FTS5) and PostgreSQL (stored tsvector), kept in
step with every write, scoped like the queue, by either plan (ids through the index, or row by row along the sort)."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import SiteSettings
from helpdesk.tests.pins import pinned_get
from testing.plans import plans_with_only
from tickets import services
from tickets.filters import SORT_ACTIVITY, SORTS, search_tickets
from tickets.models import ACTIVE_STATUSES, Status, Ticket
from tickets.search import FTS_TABLE, VECTOR_INDEX, matching_ids, sqlite_repair

from .factories import DepartmentFactory, TicketFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("tickets:queue")


def found(text: str, queryset=None) -> set[str]:
    qs = Ticket.objects.all() if queryset is None else queryset
    return set(search_tickets(qs, text).values_list("reference", flat=True))


# Both plans of `tickets.filters.search_tickets`: ids through the index (a rare word), the row-by-row test along the
# queue's sort (a common word: more matches than the cap, here any).
@pytest.fixture(params=[2000, 0], ids=["through-the-index", "along-the-sort"])
def either_plan(request, monkeypatch):
    monkeypatch.setattr("tickets.filters.SEARCH_IDS_CAP", request.param)
    return request.param


@pytest.mark.parametrize(
    ("stored", "typed", "hit"),
    [
        ("کتاب فارسی", "كتاب", True),  # Arabic kaf and yeh find Persian ones
        ("كتاب عربي", "کتاب", True),  # and the other way round
        ("فاکتور ۱۲۳۴", "1234", True),  # digits in all three forms, stored in any of them
        ("فاکتور 1234", "۱۲۳۴", True),
        ("فاکتور ١٢٣٤", "١٢٣٤", True),
        ("فاکتور ۱۲۳۴", "١٢٣", True),  # a prefix of the number
        ("درخواست ارتقا", "ارتق", True),  # a word prefix
        ("درخواست ارتقا", "تقا", False),  # not the middle of a word
        ("می‌خواهم", "می خواهم", True),  # ZWNJ counts as a space
        ("آب سرد", "اب", True),  # alef with madda folds to alef
        ("چاپگر طبقه دوم", "چاپگر سوم", False),  # every word must match
        ("ZX-900 ثبت شد", "zx-900", True),  # a code with a dash
    ],
)
def test_same_matches_on_both_databases(make_ticket, either_plan, stored, typed, hit):
    ticket = make_ticket(subject=stored, body="متن")
    make_ticket(subject="موضوعی دیگر", body="متن")
    assert found(typed) == ({ticket.reference} if hit else set())


def test_email_and_mobile_of_the_requester(make_ticket, customer, either_plan):
    ticket = make_ticket(subject="بی‌ربط")
    assert found(customer.email) == {ticket.reference}
    assert found(customer.mobile.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))) == {ticket.reference}


def test_updates_are_indexed_by_every_writer(make_ticket, agent, either_plan):
    ticket = make_ticket(subject="اولیه")
    assert found("پیوست") == set()
    services.reply_add(ticket=ticket, author=agent, body="پیوست را ببینید")  # a service
    assert found("پیوست") == {ticket.reference}
    Ticket.objects.filter(pk=ticket.pk).update(search_document="کاملا تازه")  # a bulk update bypassing the services
    assert found("پیوست") == set()
    assert found("تازه") == {ticket.reference}
    services.ticket_rebuild_search_document(ticket=ticket)
    assert found("پیوست") == {ticket.reference}
    assert found("تازه") == set()


def test_a_merge_is_indexed(make_ticket, agent, either_plan):
    """`ticket_merge` moves the source's messages to the target and rebuilds both texts: the index follows."""
    target = make_ticket(subject="اصلی", body="نخست")
    source = make_ticket(subject="تکراری", body="کارتریج")
    services.reply_add(ticket=source, author=agent, body="تونر")
    assert found("کارتریج") == found("تونر") == {source.reference}
    services.ticket_merge(source=source, target=target, actor=agent)
    assert found("کارتریج") == found("تونر") == {target.reference}  # the moved messages, now the target's
    assert found("تکراری") == {source.reference}  # the source keeps its own subject
    assert found("نخست") == {target.reference}


def test_deleted_tickets_are_gone(make_ticket, either_plan):
    gone, kept = make_ticket(subject="حذفی"), make_ticket(subject="حذفی دوم")
    gone.delete()
    assert found("حذفی") == {kept.reference}
    if connection.vendor == "sqlite":  # nothing left in the index for the row
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", ['"حذفی"'])  # noqa: S608
            assert [row[0] for row in cursor.fetchall()] == [kept.pk]


def test_scoped_to_the_queryset(make_ticket, other_agent, either_plan):
    from tickets import permissions

    mine = make_ticket(subject="چاپگر اینجا")
    elsewhere = TicketFactory(department=other_agent.departments.get(), search_document="چاپگر آنجا")
    assert found("چاپگر") == {mine.reference, elsewhere.reference}
    assert found("چاپگر", permissions.visible_tickets(other_agent)) == {elsewhere.reference}


def test_the_probe_stops_at_its_limit_and_adds_the_reference():
    """`matching_ids`: all the matches below the limit, at least `limit` of them above it, the typed reference's
    ticket as well, none twice. On SQLite the FTS5 table drives the query (it stops after `limit` rows instead of
    collecting every match first) and the ticket table is only looked up, row by row."""
    matches = [TicketFactory(search_document=f"چاپگر {i}") for i in range(5)]
    other = TicketFactory(search_document="بی‌ربط")
    qs = Ticket.objects.all()
    with CaptureQueriesContext(connection) as ctx:
        assert len(matching_ids(qs, ["چاپگر"], limit=3)) == 3
    assert set(matching_ids(qs, ["چاپگر"], also=Q(reference=other.reference), limit=10)) == {
        t.pk for t in [*matches, other]
    }
    ids = matching_ids(qs, ["چاپگر"], also=Q(reference=matches[0].reference), limit=5)
    assert len(ids) == len(set(ids)) >= 5  # the reference's ticket also matches the text: once
    assert set(matching_ids(qs.exclude(pk=matches[1].pk), ["چاپگر"], limit=10)) == {
        t.pk for t in matches if t != matches[1]
    }
    if connection.vendor == "sqlite":
        (probe,) = ctx.captured_queries
        assert probe["sql"].startswith(f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} WHERE")  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {probe['sql']}")
            plan = [row[3] for row in cursor.fetchall()]
        assert plan[0].startswith(f"SCAN {FTS_TABLE} VIRTUAL TABLE")
        assert "SEARCH tickets_ticket USING INTEGER PRIMARY KEY (rowid=?)" in plan


@pytest.mark.pins("tickets:queue")
@pytest.mark.parametrize("matches", [1, 30])
def test_the_queue_shows_only_what_the_agent_may_see(client, agent, department, either_plan, matches):
    """The same queries by either plan (a rare word through the index, a common one along the sort), for 1 match
    and for 30."""
    SiteSettings.objects.update_or_create(pk=1, defaults={"records_per_page": 50})
    visible = [TicketFactory(department=department, search_document=f"چاپگر {i}") for i in range(matches)]
    TicketFactory(department=DepartmentFactory(), search_document="چاپگر پنهان")
    client.force_login(agent)
    response = pinned_get(client, QUEUE + "?q=چاپگر", 7)  # probe, count, page (the counters load apart): either plan
    assert {t.reference for t in response.context["page_obj"].object_list} == {t.reference for t in visible}


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_index_survives_a_table_rebuild(make_ticket):
    """Django's SQLite schema editor alters a table by rebuilding it; the rebuilt table has no triggers. After
    `migrate` (post_migrate) they are back and the index is rebuilt from the rows."""
    ticket = make_ticket(subject="بازسازی")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {FTS_TABLE}_update")
        cursor.execute(f"DROP TRIGGER {FTS_TABLE}_insert")
    Ticket.objects.filter(pk=ticket.pk).update(search_document="نادیده")  # not seen by the index
    later = TicketFactory(search_document="بعدی")
    assert sqlite_repair() is True
    assert found("نادیده") == {ticket.reference}
    assert found("بعدی") == {later.reference}
    assert found("بازسازی") == set()
    assert sqlite_repair() is False  # nothing missing: nothing done
    with connection.cursor() as cursor:  # FTS5 compares its index with the content table
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")  # noqa: S608


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_reads_the_stored_vector():
    TicketFactory(search_document="ستون ذخیره")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tickets_ticket")
        assert cursor.fetchone()[0] == "'ذخیره':2 'ستون':1"
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket' AND indexname LIKE 'ticket_search%%'"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == [
            "CREATE INDEX ticket_search_vector_active_gin ON public.tickets_ticket USING gin (search_vector) WHERE "
            "((status)::text = ANY ((ARRAY['new'::character varying, 'open'::character varying, "
            "'waiting'::character varying, 'on_hold'::character varying])::text[]))",
            "CREATE INDEX ticket_search_vector_gin ON public.tickets_ticket USING gin (search_vector)",
        ]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_probe_of_the_default_view_reads_the_active_index():
    """Migration 0009: a GIN index over the tickets that need work only. PostgreSQL can use it only where the
    query's WHERE implies its predicate: the default view's probe (`status IN ACTIVE_STATUSES`), with or without
    the reference. With the ticket table's other indexes dropped (but the constraints') and sequential scans priced
    out, the plan shows where it can."""
    TicketFactory(search_document="بایگانی", status=Status.CLOSED, closed_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index "
            "WHERE indexrelid = 'ticket_search_vector_active_gin'::regclass"
        )
        assert set(re.findall(r"'(\w+)'", cursor.fetchone()[0])) == set(ACTIVE_STATUSES)

    def plan(queryset, also=None) -> str:
        with CaptureQueriesContext(connection) as ctx:
            matching_ids(queryset, ["بایگانی"], also=also, limit=2001)
        (lines,) = plans_with_only(
            [(ctx.captured_queries[0]["sql"], None)], lambda index: index == "ticket_search_vector_active_gin"
        )
        return lines

    default_view = Ticket.objects.filter(status__in=ACTIVE_STATUSES)
    assert "ticket_search_vector_active_gin" in plan(default_view)
    assert "ticket_search_vector_active_gin" in plan(default_view, also=Q(reference="4830271"))
    assert "ticket_search_vector_active_gin" in plan(default_view.filter(status=Status.OPEN))
    assert "ticket_search_vector_active_gin" not in plan(Ticket.objects.all())


def test_a_common_word_walks_the_queue_sort_index(monkeypatch):
    """#15.1: more matches than the cap, the page is read along the queue's sort index (`ticket_q_pin_activity`)
    with the match as a row filter: no index of the text and no sort of the matches. On a table of three rows the
    planner would pick anything, so the table's other indexes are dropped (the text indexes stay: the match must
    not use them) and, on PostgreSQL, sequential scans priced out: the plan shows what the query allows."""
    monkeypatch.setattr("tickets.filters.SEARCH_IDS_CAP", 0)
    for i in range(3):
        TicketFactory(search_document=f"چاپگر {i}")
    page = search_tickets(Ticket.objects.filter(status__in=ACTIVE_STATUSES), "چاپگر")
    query = page.order_by(*SORTS[SORT_ACTIVITY]).values("pk")[:25].query.sql_with_params()
    kept = {"ticket_q_pin_activity", VECTOR_INDEX, "ticket_search_vector_active_gin"}  # the sort's and the text's
    (plan,) = plans_with_only([query], lambda index: index in kept)
    assert "ticket_q_pin_activity" in plan, plan
    assert "gin" not in plan and FTS_TABLE not in plan, plan
    assert "Sort Key" not in plan and "TEMP B-TREE" not in plan, plan
    if connection.vendor == "postgresql":
        assert "ts_match_vq(search_vector" in plan, plan

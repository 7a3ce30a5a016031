"""Who sees what (pages and exports), bad filters, exports, and the pages' query counts."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from accounts.tests.factories import AdminFactory, OrganisationFactory
from helpdesk.models import AuditEntry
from helpdesk.persian import to_persian_digits
from helpdesk.tests.pins import assert_queries, pinned_get
from knowledgebase.models import Article, ArticleFeedback, SearchStat, SuggestionOpen, SuggestionSession
from limits.models import IncreaseRequest
from limits.models.increase import State
from limits.tests.factories import TaxpayerFactory
from reports import selectors, stats
from tickets.tests.factories import TicketFactory, TicketTypeFactory

from .conftest import NOW, RANGE

pytestmark = pytest.mark.django_db

SECTIONS = ["overview", "sla", "agents", "channels", "kb", "article6"]


def page(client, user, section="overview", **params):
    client.force_login(user)
    return client.get(reverse(f"reports:{section}"), {**RANGE, **params})


def export(client, user, section, table, fmt="csv", **params):
    client.force_login(user)
    return client.get(reverse("reports:export", args=[section, table, fmt]), {**RANGE, **params})


def fa(text: str) -> str:
    with translation.override("fa"):
        return gettext(text)


def kpis(response) -> dict[str, object]:
    """The numbers at the top, by their label (the page is Persian: look them up with `fa("Created")`)."""
    return {k.label: k.value for k in response.context["page"].kpis}


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("section", SECTIONS)
def test_customers_and_visitors_get_a_404(client, customer, section):
    assert client.get(reverse(f"reports:{section}")).status_code == 302  # to the login page
    client.force_login(customer)
    assert client.get(reverse(f"reports:{section}")).status_code == 404
    assert client.get(reverse("reports:export", args=[section, "volume", "csv"])).status_code == 404


def test_the_staff_menu_has_reports(client, agent, customer):
    client.force_login(agent)
    assert 'href="/reports/"' in client.get("/").content.decode()
    client.force_login(customer)
    assert 'href="/reports/"' not in client.get("/").content.decode()


def test_a_supervisor_sees_their_departments_only(month, client, supervisor, department_b):
    response = page(client, supervisor)
    assert kpis(response)[fa("Created")] == 2  # t1 and t2; t3 ended in B, t4 is B's
    text = response.content.decode()
    assert "مالی" not in text  # not even in the department filter
    sla = csv_rows(export(client, supervisor, "sla", "by_department"))
    assert [row[0] for row in sla[1:]] == ["پشتیبانی فنی"]
    agents = csv_rows(export(client, supervisor, "agents", "agents"))
    assert "بهرام بهاری" not in {row[0] for row in agents}
    refused = page(client, supervisor, department=str(department_b.pk))
    assert refused.status_code == 400 and refused.context["page"] is None
    assert export(client, supervisor, "overview", "volume", department=str(department_b.pk)).status_code == 400
    assert page(client, supervisor, "kb").status_code == 200


@pytest.mark.parametrize("section", SECTIONS)
def test_a_supervisor_never_sees_another_departments_numbers(month, client, manager, supervisor, section):
    """Department B holds t3 (transferred there), t4 (with an Article 6 request expiring soon) and `agent_b`: none
    of them, nor B's rating, shows in any table or chart of a supervisor of A, nor in any of the exports."""
    taxpayer = TaxpayerFactory()
    IncreaseRequest.objects.create(
        ticket=month["t4"], taxpayer=taxpayer, year=1404, quarter=1, amount=1_000_000, vat_rate=10, vat=100_000,
        state=State.SUBMITTED, period_ends_at=NOW + dt.timedelta(days=10), filed_by=taxpayer.owner_user,
    )  # fmt: skip
    t3, t4 = (f"#{month[name].reference}" for name in ("t3", "t4"))
    hidden = {"مالی", "بهرام بهاری", "فاکتور", "پرداخت", t3, t4}  # B's name, agent, subjects and tickets

    def shown(user) -> set[str]:
        """Every cell of the page's tables and exports, and every chart label."""
        built = page(client, user, section).context["page"]
        cells = {str(value) for table in built.tables for row in table.rows for value in row}
        cells |= {str(label) for chart in built.charts for label in chart.labels}
        for table in built.tables:
            cells |= {value for row in csv_rows(export(client, user, section, table.key)) for value in row}
        return cells

    assert shown(supervisor) & hidden == set()
    if section in ("overview", "sla", "agents", "article6"):
        assert shown(manager) & hidden  # the fixture does hold them: a manager sees them on this page
    if section == "overview":
        numbers = kpis(page(client, supervisor))
        assert numbers[fa("Satisfaction (average of 5)")] == 5.0  # t1's 5; t3's 3 is B's
        assert numbers[fa("Open now")] == 0  # t4 is B's


def test_an_agent_sees_their_own_numbers(month, client, agent):
    response = page(client, agent)
    assert (kpis(response)[fa("Created")], kpis(response)[fa("Resolved")]) == (2, 2)  # t1 and t2, assigned to them
    rows = csv_rows(export(client, agent, "agents", "agents"))
    assert [row[:3] for row in rows[1:]] == [[agent.full_name, "2", "4"]]
    assert "agent" not in response.context["form"].fields
    assert page(client, agent, "kb").status_code == 404


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "1404/13/01"}, "ماه"),
        ({"start": "2025/05/14"}, "سال"),
        ({"start": "1404/03/08", "end": "1404/02/24"}, "نباید بعد از پایان"),
        ({"start": "1400/01/01", "end": "1404/01/01"}, "دوساله"),
        ({"start": "", "end": "1404/01/01"}, "آغاز بازه"),
        ({"department": "abc"}, "واحد"),
        ({"department": "999999"}, "واحد"),
        ({"preset": "yesterday"}, "دوره"),
        ({"by": "hour"}, "نمودار"),
        ({"channel": "fax"}, "کانال"),
        ({"organisation": "س" * 201}, "سازمان"),
    ],
)
def test_bad_filters_are_a_clear_message_never_a_500(client, manager, params, message):
    client.force_login(manager)
    response = client.get(reverse("reports:overview"), params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert export(client, manager, "overview", "volume", **{**{"start": "", "end": ""}, **params}).status_code == 400


def test_filters_accept_persian_digits_and_presets(month, client, manager, department):
    response = page(client, manager, department="".join("۰۱۲۳۴۵۶۷۸۹"[int(c)] for c in str(department.pk)))
    assert kpis(response)[fa("Created")] == 2
    for preset in ("today", "week", "month", "last30", "season", "year"):
        client.force_login(manager)
        assert client.get(reverse("reports:sla"), {"preset": preset}).status_code == 200


@pytest.mark.parametrize(
    "language, shown", [("fa", ("۱۴۰۴/۰۲/۲۴", "۱۴۰۴/۰۳/۰۸")), ("en", ("1404/02/24", "1404/03/08"))]
)
@pytest.mark.parametrize("typed", [("1404/02/24", "۱۴۰۴/۰۳/۰۸"), ("۱۴۰۴/۰۲/۲۴", "1404/03/08")])
def test_the_filter_form_shows_the_dates_in_the_pages_digits(client, manager, settings, language, shown, typed):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = page(client, manager, start=typed[0], end=typed[1])
    assert response.status_code == 200
    text = response.content.decode()
    assert f'name="start" value="{shown[0]}"' in text and f'name="end" value="{shown[1]}"' in text


def links(text: str) -> list[tuple[str, dict[str, str]]]:
    """Each link's path and query parameters."""
    found = [urlsplit(html.unescape(href)) for href in re.findall(r'href="([^"]*)"', text)]
    return [(link.path, {name: value for name, (value,) in parse_qs(link.query).items()}) for link in found]


def test_the_tabs_and_the_export_links_carry_the_filters(month, client, manager, department):
    """Every tab and export link of the page keeps its filters (in Latin digits), and Reset drops them."""
    response = page(client, manager, "sla", department=str(department.pk), start="۱۴۰۴/۰۲/۲۴")
    text = response.content.decode()
    expected = {**RANGE, "department": str(department.pk)}
    tabs = links(re.search(r'<ul class="nav nav-tabs.*?</ul>', text, re.DOTALL).group())
    assert tabs == [(reverse(f"reports:{section}"), expected) for section in SECTIONS]
    (form,) = re.findall(r'<form method="get".*?</form>', text, re.DOTALL)
    assert links(form) == [(reverse("reports:sla"), {})]  # Reset
    exports = [query for path, query in links(text) if "/export/" in path]
    assert len(exports) == 2 * len(response.context["page"].tables)  # CSV and Excel for each table
    assert all(query == expected for query in exports)


@pytest.mark.parametrize(
    "dimension, expected",
    [("agent", 2), ("agent_b", 1), ("priority", 4), ("channel", 4), ("sms", 0), ("type", 1), ("organisation", 1),
     ("organisation_name", 1), ("organisation_persian_id", 1), ("no_such_organisation", 0)],
)  # fmt: skip
def test_every_filter_narrows_the_numbers(month, client, manager, agent, agent_b, priority, dimension, expected):
    """The month's four tickets (web, one priority; t1 and t2 `agent`'s, t3 `agent_b`'s) and one more with a type
    and an organisation."""
    kind, organisation = TicketTypeFactory(), OrganisationFactory(name="کارگاه فرش تبریز")
    TicketFactory(type=kind, organisation=organisation, created_at=NOW - dt.timedelta(days=1), channel="email")
    stats.rebuild_all()  # a ticket inserted yesterday, without the services' timeline: `rebuild_report_stats`
    params = {
        "agent": {"agent": agent.pk},
        "agent_b": {"agent": agent_b.pk},
        "priority": {"priority": priority.pk},
        "channel": {"channel": "web"},
        "sms": {"channel": "sms"},
        "type": {"type": kind.pk},
        "organisation": {"organisation": organisation.pk},
        "organisation_name": {"organisation": "  فرش   تبریز "},  # any part of the name, spaces as typed
        "organisation_persian_id": {"organisation": to_persian_digits(organisation.pk)},
        "no_such_organisation": {"organisation": "سازمانی که نیست"},
    }[dimension]
    assert kpis(page(client, manager, **params))[fa("Created")] == expected


def test_an_admin_sees_every_department(month, client):
    assert kpis(page(client, AdminFactory()))[fa("Created")] == 4


def test_exports_csv_and_xlsx_with_jalali_dates(month, client, manager):
    rows = csv_rows(export(client, manager, "sla", "breached"))
    assert rows[0][:2] == ["تیکت", "موضوع"]
    assert rows[1][0] == f"#{month['t4'].reference}" and rows[1][5] == "۱۴۰۴/۰۲/۳۰ ۰۹:۰۰"  # Tue 2025-05-20
    response = export(client, manager, "overview", "volume", "xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="overview-volume-14040224-14040308.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "دوره" and values[1][:2] == ("۱۴۰۴/۰۲/۲۴", 1)
    assert sheet.sheet_view.rightToLeft
    assert export(client, manager, "overview", "nothing").status_code == 404
    assert client.get(reverse("reports:export", args=["overview", "volume", "pdf"])).status_code == 404


def test_knowledge_base_page(db, client, manager, make_article_for_reports):
    SearchStat.objects.create(day=NOW.date(), kind=SearchStat.Kind.NO_RESULT, query="کارت هوشمند", count=3)
    SearchStat.objects.create(day=NOW.date(), kind=SearchStat.Kind.SUGGESTED, count=4)
    SuggestionSession.objects.create(
        session_key="a", first_opened_at=NOW - dt.timedelta(hours=3), last_opened_at=NOW - dt.timedelta(hours=3)
    )
    SuggestionSession.objects.create(
        session_key="b", first_opened_at=NOW - dt.timedelta(hours=3), ticket_filed_at=NOW - dt.timedelta(hours=2)
    )
    import time_machine

    with time_machine.travel(NOW, tick=False):
        response = page(client, manager, "kb")
    assert kpis(response) == {
        fa("Suggestions shown while filing"): 4,
        fa("Suggested articles opened"): 0,
        fa("Filed anyway after a suggestion"): 1,
        fa("Left after a suggestion (deflected)"): 1,
        fa("Deflection rate"): 0.5,
    }
    assert response.context["page"].table("no_result").rows == [["کارت هوشمند", 3]]
    assert [str(r[0]) for r in response.context["page"].table("most_read").rows] == ["راهنمای ورود"]


def test_knowledge_base_articles_opened_and_lowest_rated(db, client, manager, make_article_for_reports):
    login = make_article_for_reports
    password = Article.objects.create(title="تغییر رمز", slug="password", body="…", status="published", view_count=2)
    session = SuggestionSession.objects.create(
        session_key="a", first_opened_at=NOW - dt.timedelta(hours=3), last_opened_at=NOW - dt.timedelta(hours=2)
    )
    for article, hours in ((login, 3), (password, 2), (password, 1)):
        SuggestionOpen.objects.create(session=session, article=article, opened_at=NOW - dt.timedelta(hours=hours))
    for key, article, helpful in (("v1", login, True), ("v2", login, False), ("v3", password, False)):
        ArticleFeedback.objects.create(article=article, session_key=key, helpful=helpful)
    import time_machine

    with time_machine.travel(NOW, tick=False):
        response = page(client, manager, "kb")
    built = response.context["page"]
    assert kpis(response)[fa("Suggested articles opened")] == 3
    assert [[str(r[0]), r[1]] for r in built.table("opened").rows] == [["تغییر رمز", 2], ["راهنمای ورود", 1]]
    lowest = [[str(r[0]), *r[1:]] for r in built.table("lowest_rated").rows]
    assert lowest == [["تغییر رمز", 0, 1, 0.0], ["راهنمای ورود", 1, 2, 0.5]]
    assert [str(r[0]) for r in built.table("most_read").rows] == ["راهنمای ورود", "تغییر رمز"]


@pytest.fixture
def make_article_for_reports(db):
    return Article.objects.create(title="راهنمای ورود", slug="login", body="…", status="published", view_count=9)


def test_article6_page(db, client, manager, department, monkeypatch):
    import time_machine

    taxpayer = TaxpayerFactory()

    def request(state, amount, created, **extra):
        ticket = TicketFactory(department=department)
        row = IncreaseRequest.objects.create(
            ticket=ticket, taxpayer=taxpayer, year=1404, quarter=1, amount=amount, vat_rate=10, vat=amount // 10,
            state=state, period_ends_at=NOW + dt.timedelta(days=10), filed_by=taxpayer.owner_user, **extra,
        )  # fmt: skip
        IncreaseRequest.objects.filter(pk=row.pk).update(created_at=created)
        return row

    request(State.SUBMITTED, 1_000_000, NOW - dt.timedelta(days=5))
    applied = {"announced_amount": 4_000_000, "letter_number": "۱۲/۳", "letter_date": NOW.date(), "applied_at": NOW}
    request(State.APPLIED, 5_000_000, NOW - dt.timedelta(days=6), **applied)
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        response = page(client, manager, "article6")
    built = response.context["page"]
    numbers = kpis(response)
    assert (numbers[fa("Requests filed")], numbers[fa("Applied")], numbers[fa("Expiring within 14 days")]) == (2, 1, 1)
    assert numbers[fa("Median days from filing to applied")] == 6.0
    assert built.table("periods").rows[0][1:] == [2, 6_000_000, 1, 4_000_000]

    request(State.UNDER_REVIEW, 2_000_000, NOW - dt.timedelta(days=4))  # open as well: two expiring, a list of one
    monkeypatch.setattr(selectors, "EXPIRING_LIMIT", 1)
    with time_machine.travel(NOW - dt.timedelta(hours=1), tick=False):
        response = page(client, manager, "article6")
    assert kpis(response)[fa("Expiring within 14 days")] == 2
    assert len(response.context["page"].table("expiring").rows) == 1


# session, user, the roll-up's state, then the page's own (e.g. overview: totals
# from the roll-up and today's from the tickets, created, resolved, finished and reopened per day from the roll-up
# and today's three, open now and its names, two percentile queries, ratings); the filter's other choices are
# cached, and the organisation is typed (a name or an id), not listed. With the range ending today, each count the
# roll-up answers is one query over it and today's as before.
QUERIES = {"overview": 15, "sla": 17, "agents": 8, "channels": 7, "kb": 10, "article6": 7}


@pytest.mark.pins(*(f"reports:{section}" for section in QUERIES))
@pytest.mark.parametrize("section", SECTIONS)
def test_query_counts_are_pinned_and_do_not_grow(month, client, manager, department, section):
    client.force_login(manager)
    url = reverse(f"reports:{section}")
    client.get(url, RANGE)  # warm the cached filter choices
    with assert_queries(QUERIES[section]):
        assert client.get(url, RANGE).status_code == 200
    TicketFactory.create_batch(20, department=department, created_at=NOW - dt.timedelta(days=3))
    wider = {"start": "1403/01/01", "end": "1404/03/08", "by": "month"}
    with assert_queries(QUERIES[section]):
        assert client.get(url, wider).status_code == 200


@pytest.mark.pins("reports:export")
def test_an_export_runs_its_page_queries_and_no_more(month, client, manager):
    """An export builds the same page (its scope and filters) and writes one table: the page's count, and the
    INSERT of its audit entry (#14.6)."""
    client.force_login(manager)
    url = reverse("reports:export", args=["sla", "breached", "csv"])
    pinned_get(client, url + "?" + urlencode(RANGE), QUERIES["sla"] + 1)


def test_an_export_is_in_the_audit_trail(month, client, manager):
    client.force_login(manager)
    response = client.get(
        reverse("reports:export", args=["sla", "breached", "xlsx"]) + "?" + urlencode(RANGE), REMOTE_ADDR="192.0.2.44"
    )
    assert response.status_code == 200
    (entry,) = AuditEntry.objects.filter(action="report_export")
    assert (entry.actor, entry.ip) == (manager, "192.0.2.44")
    # By their titles, not their codes ("sla", "breached").
    assert entry.after["section"] == "مهلت‌ها (SLA)" and entry.after["table"] == "تیکت‌هایی که از مهلت گذشتند"
    assert entry.after["file"].endswith(".xlsx") and entry.after["file"] in response["Content-Disposition"]
    assert entry.after["rows"] == len(list(load_workbook(io.BytesIO(response.content)).active.rows)) - 1


def test_a_refused_export_is_not_in_the_audit_trail(month, client, manager, customer):
    client.force_login(manager)
    assert client.get(reverse("reports:export", args=["sla", "breached", "csv"]), {"start": "x"}).status_code == 400
    client.force_login(customer)
    assert client.get(reverse("reports:export", args=["sla", "breached", "csv"]), RANGE).status_code == 404
    assert not AuditEntry.objects.filter(action="report_export").exists()

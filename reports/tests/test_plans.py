"""The reports' queries over the ticket and message rows read an index alone (`ticket_report_fr`,
`ticket_report_res`, `ticket_report_open`, `message_report_replies`): the rows are wide (search text, bodies), and
reading them made a year's percentiles, "open now" and the replies per agent the slowest part of the pages (at
1,000,000 tickets the replies took 3 s for 30 days). The plans are read with only the reports' indexes and, on
PostgreSQL, the scans that read the table priced out (`testing.plans`): they show whether the index holds every
column the query reads."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors
from reports.filters import ReportFilterForm, read_filters
from reports.permissions import report_scope
from testing.plans import plans_with_only

pytestmark = pytest.mark.django_db
TABLES = ("tickets_ticket", "tickets_message")


def plans(run) -> list[str]:
    """The plan of each query `run` sends over tickets or messages (with only the reports' indexes on them)."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    queries = [
        (query["sql"], None)
        for query in ctx.captured_queries
        if '"tickets_ticket"' in query["sql"] or '"tickets_message"' in query["sql"]
    ]
    return plans_with_only(queries, lambda index: "_report_" in index, tables=TABLES, off=("seqscan", "bitmapscan"))


def reads_only(plan: str, index: str, table: str = "tickets_ticket") -> bool:
    if connection.vendor == "postgresql":
        return f"Index Only Scan using {index} on {table}" in plan and "Seq Scan" not in plan
    return f"USING COVERING INDEX {index}" in plan and f"SCAN {table}" not in plan


@pytest.fixture
def year(manager):
    scope = report_scope(manager)
    filters = read_filters(ReportFilterForm({"preset": "year"}, scope=scope))
    assert filters is not None and scope is not None
    return scope, filters


@pytest.mark.parametrize("by", [None, "assignee_id", "channel"])
def test_the_times_read_their_indexes_alone(year, by):
    """The overview's, the agents' and the channels' medians and 90th percentiles: created, then resolved."""
    first, resolved = plans(lambda: selectors.times(*year, by=by))
    assert reads_only(first, "ticket_report_fr"), first
    assert reads_only(resolved, "ticket_report_res"), resolved


def test_open_now_reads_its_index_alone(year):
    (plan,) = plans(lambda: selectors.open_now(*year))
    assert reads_only(plan, "ticket_report_open"), plan


def test_the_agents_numbers_read_their_indexes_alone(year):
    """Tickets handled per agent (resolved in the range) and public replies per author."""
    handled, replies = plans(lambda: selectors.agent_work(*year))
    assert reads_only(handled, "ticket_report_res"), handled
    assert reads_only(replies, "message_report_replies", "tickets_message"), replies

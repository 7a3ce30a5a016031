"""Every step of an increase request is one step of the state machine (`limits.services.increases.STATE`): it
writes the state, `updated_at` and the step's own fields, nothing else of the row."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.tests.sql import updated_columns
from limits import permissions, services
from limits.models import IncreaseRequest, State

from .conftest import tehran
from .test_services_increases import DURING_Q2, file

pytestmark = pytest.mark.django_db

TABLE = IncreaseRequest._meta.db_table
LATER = DURING_Q2 + dt.timedelta(hours=2)


def step(action, **kwargs):
    """Run one step two hours after filing; the columns its UPDATE wrote, and the request as stored."""
    with time_machine.travel(LATER, tick=False), CaptureQueriesContext(connection) as ctx:
        request = action(**kwargs)
    (columns,) = updated_columns(ctx, TABLE)
    stored = IncreaseRequest.objects.get(pk=request.pk)
    assert stored.updated_at == LATER
    return columns, stored


def filed(taxpayer, seller, **kwargs):
    with time_machine.travel(DURING_Q2, tick=False):
        return file(taxpayer, seller, **kwargs)


def test_each_staff_step_writes_its_own_fields(taxpayer, seller, officer):
    request = filed(taxpayer, seller, amount=5_000)
    base = {"state", "updated_at"}
    columns, request = step(services.increase_request_review, request=request, actor=officer)
    assert columns == base and request.state == State.UNDER_REVIEW
    columns, request = step(
        services.increase_request_require_prior_debt, request=request, actor=officer, note="بدهی فصل قبل"
    )
    assert columns == base | {"prior_debt_note"}
    columns, request = step(services.increase_request_review, request=request, actor=officer)
    assert columns == base and request.prior_debt_note == "بدهی فصل قبل"  # kept, not rewritten
    columns, request = step(
        services.increase_request_request_settlement, request=request, actor=officer, method="payment", payment_id="9"
    )
    assert columns == base | {"settlement_method", "payment_id"}
    columns, request = step(services.increase_request_settle, request=request, actor=officer, payment_reference="R")
    assert columns == base | {"payment_reference", "settled_at"}
    columns, request = step(
        services.increase_request_announce,
        request=request,
        actor=officer,
        letter_number="۱۲/۳۴",
        letter_date=dt.date(2025, 7, 1),
        announced_amount=5_000,
    )
    assert columns == base | {"letter_number", "letter_date", "announced_amount", "announced_at"}
    columns, request = step(services.increase_request_apply, request=request, actor=officer)
    assert columns == base | {"applied_at"}
    assert (request.state, request.payment_id, request.announced_amount) == (State.APPLIED, "9", 5_000)


@pytest.mark.parametrize(
    ("method", "evidence", "fields"),
    [
        ("arrangement", {"arrangement_decision": "تقسیط"}, {"arrangement_decision"}),
        (
            "guarantee",
            {
                "guarantee_type": "cheque",
                "guarantee_amount": 500,
                "guarantee_issuer": "بانک ملی",
                "guarantee_expiry": dt.date(2026, 1, 1),
            },
            {"guarantee_type", "guarantee_amount", "guarantee_issuer", "guarantee_expiry"},
        ),
    ],
)
def test_settling_writes_the_evidence_of_its_method(taxpayer, seller, officer, method, evidence, fields):
    request = filed(taxpayer, seller, amount=5_000)
    with time_machine.travel(DURING_Q2, tick=False):
        request = services.increase_request_review(request=request, actor=officer)
        request = services.increase_request_request_settlement(request=request, actor=officer, method=method)
    columns, request = step(services.increase_request_settle, request=request, actor=officer, **evidence)
    assert columns == {"state", "updated_at", "settled_at"} | fields
    assert {name: getattr(request, name) for name in evidence} == evidence
    assert request.state == State.SETTLED and request.settled_at == LATER


def test_the_endings_write_the_closing_fields(taxpayer, seller, officer):
    columns, rejected = step(
        services.increase_request_reject, request=filed(taxpayer, seller), actor=officer, reason="ناقص"
    )
    assert columns == {"state", "updated_at", "close_reason", "closed_at"} and rejected.state == State.REJECTED
    columns, withdrawn = step(services.increase_request_withdraw, request=filed(taxpayer, seller), actor=seller)
    assert columns == {"state", "updated_at", "closed_at"} and withdrawn.state == State.WITHDRAWN


def test_only_the_system_expires(taxpayer, seller, officer):
    request = filed(taxpayer, seller)
    assert not permissions.can_expire(officer, request) and not permissions.can_expire(seller, request)
    after_the_end = tehran(1404, 7, 1, 0, 5)
    with time_machine.travel(after_the_end, tick=False), CaptureQueriesContext(connection) as ctx:
        expired = services.increase_request_expire(request=request)
    assert updated_columns(ctx, TABLE) == [{"state", "updated_at", "closed_at"}]
    assert (expired.state, expired.closed_at) == (State.EXPIRED, after_the_end)

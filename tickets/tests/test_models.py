"""Model invariants (database constraints), references, and small model helpers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.tests.errors import error_codes
from tickets import references
from tickets.models import ACTIVE_STATUSES, CannedResponse, Department, Priority, Status, Ticket, TicketType

from .factories import DepartmentFactory, PriorityFactory, SavedFilterFactory, TicketFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


def test_reference_format():
    for _ in range(200):
        ref = references.new_reference()
        assert ref.isdigit() and len(ref) == 7 and ref[0] != "0"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("4830271", "4830271"),
        ("#۴۸۳۰۲۷۱", "4830271"),
        ("٤٨٣٠٢٧١", "4830271"),
        (" 483 0271 ", "4830271"),
        ("483-0271", "4830271"),
        ("12345", None),
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_reference(typed, expected):
    assert references.parse_reference(typed) == expected


def test_reference_is_unique():
    t = TicketFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(reference=t.reference)


def test_closed_needs_closed_at():
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(status=Status.CLOSED, closed_at=None)
    TicketFactory(status=Status.CLOSED, closed_at=timezone.now())


def test_customer_ticket_needs_requester():
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(requester=None, is_internal=False)
    TicketFactory(requester=None, is_internal=True)


def test_status_check_constraint():
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(status="bogus")


def test_one_default_priority():
    PriorityFactory(is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriorityFactory(is_default=True)


def test_default_priority_fallback():
    assert Priority.objects.default() is None
    low = PriorityFactory(order=1)
    PriorityFactory(order=5)
    PriorityFactory(order=0, is_active=False)
    assert Priority.objects.default() == low
    chosen = PriorityFactory(order=3, is_default=True)
    assert Priority.objects.default() == chosen


def test_priority_colour_validated():
    with pytest.raises(ValidationError) as exc:
        Priority(name="x", order=1, colour="red").full_clean()
    assert error_codes(exc.value) == {"colour": ["invalid"]}
    Priority(name="y", order=1, colour="#a1B2c3").full_clean()


def test_inbound_email_unique_when_set():
    DepartmentFactory(inbound_email="")
    DepartmentFactory(inbound_email="")
    DepartmentFactory(inbound_email="a@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentFactory(inbound_email="a@example.com")


def test_type_code_unique_when_set():
    TicketTypeFactory(code="")
    TicketTypeFactory(code="")
    TicketTypeFactory(code="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketTypeFactory(code="x")
    assert TicketType.objects.filter(code="x").count() == 1


def test_canned_scope_constraints(agent):
    with pytest.raises(IntegrityError), transaction.atomic():
        CannedResponse.objects.create(title="t", body="b", scope="department")
    with pytest.raises(IntegrityError), transaction.atomic():
        CannedResponse.objects.create(title="t", body="b", scope="personal")
    with pytest.raises(ValidationError) as exc:
        CannedResponse(title="t", body="b", scope="department").full_clean()
    assert error_codes(exc.value) == {"department": ["required"]}
    CannedResponse.objects.create(title="t", body="b", scope="personal", owner=agent)


def test_saved_filter_name_unique_per_owner(agent):
    SavedFilterFactory(owner=agent, name="من")
    SavedFilterFactory(name="من")
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedFilterFactory(owner=agent, name="من")


def test_ticket_helpers():
    t = TicketFactory(status=Status.OPEN)
    assert t.is_active and not t.is_closed and not t.is_overdue
    assert t.can_transition_to(Status.WAITING) and not t.can_transition_to(Status.NEW)
    t.resolution_due = timezone.now() - timedelta(seconds=1)
    assert t.is_overdue
    t.status = Status.RESOLVED
    assert not t.is_overdue and not t.is_active
    assert str(t).startswith(f"#{t.reference} ")
    assert set(Ticket.objects.active().values_list("status", flat=True)) <= set(ACTIVE_STATUSES)


def test_default_ordering_pins_first():
    old_pinned = TicketFactory(is_pinned=True, last_activity_at=timezone.now() - timedelta(days=3))
    recent = TicketFactory(last_activity_at=timezone.now())
    older = TicketFactory(last_activity_at=timezone.now() - timedelta(days=1))
    assert list(Ticket.objects.all()) == [old_pinned, recent, older]


def test_department_str():
    assert str(Department(name="فروش")) == "فروش"

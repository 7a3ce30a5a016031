"""The state-machine step (`helpdesk.statemachine`), on a machine of its own over a real model with a state column
and an `auto_now` field (the Article 6 request): lock → permission → table → the step's fields → save → event."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import AgentFactory
from helpdesk.statemachine import Machine
from limits.models import IncreaseRequest, State
from limits.periods import Period
from limits.tests.factories import TaxpayerFactory
from tickets.tests.factories import TicketFactory

from .sql import updated_columns

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=3)
TABLE = IncreaseRequest._meta.db_table


class StepError(ValidationError):
    pass


class StepForbidden(StepError):
    pass


MACHINE = Machine(
    model=IncreaseRequest,
    field="state",
    transitions={
        State.SUBMITTED: frozenset({State.UNDER_REVIEW}),
        State.UNDER_REVIEW: frozenset({State.REJECTED}),
    },
    choices=State,
    error=StepError,
    message="“%(old)s” cannot become “%(new)s”",
    forbidden=lambda row: StepForbidden("not you", code="forbidden"),
)


def anyone(actor, row) -> bool:
    return True


class Recorder:
    """The app's `record`: keeps what it was called with and what the row said in the database at that moment."""

    def __init__(self):
        self.calls: list[tuple[int, str, str]] = []

    def __call__(self, row, old):
        saved = IncreaseRequest.objects.values_list("state", flat=True).get(pk=row.pk)
        self.calls.append((row.pk, old, saved))
        return f"event {len(self.calls)}"


@pytest.fixture
def row():
    with time_machine.travel(T0, tick=False):
        return IncreaseRequest.objects.create(
            ticket=TicketFactory(),
            taxpayer=TaxpayerFactory(),
            year=1404,
            quarter=2,
            amount=1_000,
            vat_rate="10.00",
            vat=100,
            period_ends_at=Period(1404, 2).ends_at,
            filed_by=AgentFactory(),
            prior_debt_note="as filed",
        )


def as_stored(pk: int) -> dict:
    return IncreaseRequest.objects.values().get(pk=pk)


def test_the_step_saves_the_state_and_records_the_event_once(row):
    record = Recorder()
    with transaction.atomic(), time_machine.travel(T1, tick=False):
        locked, event = MACHINE.step(row.pk, State.UNDER_REVIEW, actor=None, allowed=anyone, record=record)
    assert event == "event 1"
    assert record.calls == [(row.pk, State.SUBMITTED, State.UNDER_REVIEW)]  # once, after the save
    assert locked.state == State.UNDER_REVIEW and locked is not row
    stored = as_stored(row.pk)
    assert stored["state"] == State.UNDER_REVIEW
    assert stored["updated_at"] == T1  # `auto_now` is saved with the step


def test_a_refused_transition_writes_nothing(row):
    before = as_stored(row.pk)
    record, changed = Recorder(), []
    with CaptureQueriesContext(connection) as ctx, pytest.raises(StepError) as exc, transaction.atomic():
        MACHINE.step(row.pk, State.REJECTED, actor=None, allowed=anyone, change=changed.append, record=record)
    assert exc.value.code == "invalid_transition"
    assert exc.value.params == {"old": State.SUBMITTED.label, "new": State.REJECTED.label}
    assert not isinstance(exc.value, StepForbidden)
    assert changed == [] and record.calls == []
    assert updated_columns(ctx, TABLE) == []
    assert as_stored(row.pk) == before


def test_a_state_outside_the_choices_is_named_as_it_is(row):
    with pytest.raises(StepError) as exc, transaction.atomic():
        MACHINE.step(row.pk, "bogus", actor=None, allowed=anyone, record=Recorder())
    assert exc.value.params == {"old": State.SUBMITTED.label, "new": "bogus"}


def test_a_permission_refusal_writes_nothing_and_the_check_sees_the_locked_row(row):
    before = as_stored(row.pk)
    IncreaseRequest.objects.filter(pk=row.pk).update(prior_debt_note="changed since")
    asked, record = [], Recorder()
    actor = AgentFactory()

    def nobody(who, locked) -> bool:
        asked.append((who, locked.prior_debt_note))
        return False

    with CaptureQueriesContext(connection) as ctx, pytest.raises(StepForbidden) as exc, transaction.atomic():
        MACHINE.step(row, State.UNDER_REVIEW, actor=actor, allowed=nobody, record=record)
    assert exc.value.code == "forbidden"
    assert asked == [(actor, "changed since")]  # the row as re-read under the lock, not the caller's copy
    assert record.calls == [] and updated_columns(ctx, TABLE) == []
    assert as_stored(row.pk) == {**before, "prior_debt_note": "changed since"}


def test_the_system_is_whatever_the_permission_says(row):
    def only_the_system(who, locked) -> bool:
        return who is None

    with pytest.raises(StepForbidden) as refused, transaction.atomic():
        MACHINE.step(row.pk, State.UNDER_REVIEW, actor=AgentFactory(), allowed=only_the_system, record=Recorder())
    assert refused.value.code == "forbidden"
    with transaction.atomic():
        locked, _ = MACHINE.step(row.pk, State.UNDER_REVIEW, actor=None, allowed=only_the_system, record=Recorder())
    assert locked.state == State.UNDER_REVIEW


def test_a_refusal_in_change_writes_nothing(row):
    before = as_stored(row.pk)
    record = Recorder()

    def change(locked):
        locked.close_reason = "half done"
        raise StepError("missing evidence", code="evidence")

    with CaptureQueriesContext(connection) as ctx, pytest.raises(StepError) as exc, transaction.atomic():
        MACHINE.step(row.pk, State.UNDER_REVIEW, actor=None, allowed=anyone, change=change, record=record)
    assert exc.value.code == "evidence"
    assert record.calls == [] and updated_columns(ctx, TABLE) == []
    assert as_stored(row.pk) == before


def test_only_the_named_fields_are_saved(row):
    """A change another writer made to the row while the step held it (here: in the same transaction, between the
    lock and the save) survives, because the save names only the state, the step's fields and `auto_now`."""
    before = as_stored(row.pk)

    def change(locked):
        IncreaseRequest.objects.filter(pk=locked.pk).update(prior_debt_note="written meanwhile", amount=2_000)
        locked.letter_number = "12/34"
        return ["letter_number"]

    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), time_machine.travel(T1, tick=False):
        locked, _ = MACHINE.step(
            row.pk, State.UNDER_REVIEW, actor=None, allowed=anyone, change=change, record=Recorder()
        )
    assert updated_columns(ctx, TABLE) == [{"prior_debt_note", "amount"}, {"state", "letter_number", "updated_at"}]
    assert locked.prior_debt_note == "as filed" and locked.amount == 1_000  # the step's copy never saw them
    assert as_stored(row.pk) == {
        **before,
        "state": State.UNDER_REVIEW,
        "letter_number": "12/34",
        "updated_at": T1,
        "prior_debt_note": "written meanwhile",
        "amount": 2_000,
    }


def test_advance_on_a_stale_copy_keeps_the_newer_columns(row):
    """`advance` (the caller locked the row) saves the named fields only: what changed in the database after the
    caller read its copy is not overwritten with the copy's old values."""
    IncreaseRequest.objects.filter(pk=row.pk).update(prior_debt_note="newer")
    record = Recorder()
    with transaction.atomic():
        event = MACHINE.advance(row, State.UNDER_REVIEW, record=record)
    assert event == "event 1" and record.calls == [(row.pk, State.SUBMITTED, State.UNDER_REVIEW)]
    stored = as_stored(row.pk)
    assert (stored["state"], stored["prior_debt_note"]) == (State.UNDER_REVIEW, "newer")


def test_the_step_rereads_the_row_instead_of_trusting_the_callers_copy(row):
    row.state = State.UNDER_REVIEW  # a stale or tampered copy: the table is checked against the stored state
    with pytest.raises(StepError) as exc, transaction.atomic():
        MACHINE.step(row, State.REJECTED, actor=None, allowed=anyone, record=Recorder())
    assert exc.value.params["old"] == State.SUBMITTED.label


def lock_from_another_connection(pk: int) -> str:
    """Try to lock the row from another connection (a thread), without waiting."""
    seen = []

    def other_writer():
        try:
            with transaction.atomic():
                IncreaseRequest.objects.select_for_update(nowait=True).get(pk=pk)
            seen.append("got the row")
        except DatabaseError:
            seen.append("locked")
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(timeout=10)
    return seen[0]


@pytest.mark.django_db(transaction=True)
def test_the_row_stays_locked_while_the_step_runs(row):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database")
    seen = []

    def change(locked):
        seen.append(lock_from_another_connection(locked.pk))
        return []

    with transaction.atomic():
        MACHINE.step(row.pk, State.UNDER_REVIEW, actor=None, allowed=anyone, change=change, record=Recorder())
    assert seen == ["locked"]
    assert lock_from_another_connection(row.pk) == "got the row"  # committed: free again

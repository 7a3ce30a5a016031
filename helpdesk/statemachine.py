"""One state-machine step for every model whose state moves through a declared transition table (a ticket's
status, an Article 6 request's state).

The step runs in the caller's transaction: lock the row (`select_for_update`) → check the permission → check the
transition table → let the caller set the step's fields → `save(update_fields=…)` with exactly the state, those
fields and the model's `auto_now` fields → record the event (the app's callable). A refusal raises the app's own error
before anything is written; side effects of the event go out through the outbox after commit, as always.

`Machine.step()` is the whole step. An action that changes the state as one part of a larger change (a reply that
resolves a ticket, a merge that closes the source) has already locked the row with `Machine.lock()` and checked its
own permission; it calls `Machine.advance()`, the same step from the transition table on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

M = TypeVar("M", bound=models.Model)
A = TypeVar("A")  # the actor (a user; None is the system)
E = TypeVar("E")  # what `record` returns (the event)


def _no_fields(row: models.Model) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Machine(Generic[M]):
    """A model's state field and its one transition table, refused with the errors of the app that owns it."""

    model: type[M]
    field: str  # the state column: "status", "state"
    transitions: Mapping[str, frozenset[str]]  # state → the states it may become (the models' ALLOWED_TRANSITIONS)
    choices: type[models.TextChoices]  # the states' labels, for the refusal
    error: type[ValidationError]  # the app's error; a refused transition has the code "invalid_transition"
    message: str | StrPromise  # the refusal, with %(old)s and %(new)s (the labels)
    forbidden: Callable[[M], ValidationError]  # the app's permission error for this row

    def lock(self, row: M | int) -> M:
        """The row, re-read and locked until the end of the transaction. Call inside `transaction.atomic()`."""
        pk = row.pk if isinstance(row, models.Model) else row
        return self.model._default_manager.select_for_update().get(pk=pk)

    def check(self, row: M, to: str) -> None:
        """Raise the app's error (code `invalid_transition`) unless the table lets `row` become `to`."""
        old = getattr(row, self.field)
        if to not in self.transitions.get(old, frozenset()):
            raise self.error(
                self.message, code="invalid_transition", params={"old": self._label(old), "new": self._label(to)}
            )

    def advance(
        self,
        row: M,
        to: str,
        *,
        change: Callable[[M], Iterable[str]] = _no_fields,
        record: Callable[[M, str], E],
    ) -> E:
        """The step on a row the caller has locked and whose permission it has checked: the transition table,
        then `change(row)` (validates, sets the step's fields and returns their names; it sees the old state),
        the save of exactly those fields with the new state, then `record(row, old_state)`, whose result is
        returned."""
        old = getattr(row, self.field)
        self.check(row, to)
        fields = [self.field, *change(row)]
        setattr(row, self.field, to)
        row.save(update_fields=list(dict.fromkeys([*fields, *self._auto_now()])))
        return record(row, old)

    def step(
        self,
        row: M | int,
        to: str,
        *,
        actor: A | None,
        allowed: Callable[[A | None, M], bool],
        change: Callable[[M], Iterable[str]] = _no_fields,
        record: Callable[[M, str], E],
    ) -> tuple[M, E]:
        """The whole step: lock the row, ask `allowed(actor, locked_row)` (`actor=None` is the system; the
        callable decides whether the system may take this step), then `advance()`. Returns the locked row, as
        saved, and what `record` returned."""
        locked = self.lock(row)
        if not allowed(actor, locked):
            raise self.forbidden(locked)
        return locked, self.advance(locked, to, change=change, record=record)

    def _label(self, value: str) -> str | Promise:
        return self.choices(value).label if value in self.choices.values else value

    def _auto_now(self) -> list[str]:
        """`auto_now` fields ("updated") change with every save, so they are saved with the step."""
        return [f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)]

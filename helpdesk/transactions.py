"""Containing the failure of an optional step without losing the transaction around it.

The rule of the code base: nothing catches an exception inside a `transaction.atomic` block and carries on. When a
statement fails because the connection itself failed (a killed backend, a network cut: `OperationalError`,
`InterfaceError`), or when rolling back to the step's savepoint failed (`needs_rollback`), the enclosing transaction
is already lost: Django would roll it back silently when the outermost `atomic` exits, and the caller would report
a change that was never stored. So those errors must reach the request (which answers "not saved, try again").

`optional_step` is the one legitimate way to let a step fail without failing its caller (an automation rule's
action, a hook after a ticket was filed, one recipient's notification): it runs the block in a savepoint, logs and
records the failure, and carries on only when the enclosing transaction is intact:

    with optional_step("rule 7: transfer") as step:
        ticket = transfer(ticket)
    if step.failed:
        record_the_failure(step.error)

With `savepoint=False` (a step that only computes, e.g. renders a message, and must not cost a savepoint per
call) every database error (`django.db.Error`) propagates, since without a savepoint nothing can be rolled back to.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import Error, InterfaceError, OperationalError, transaction

logger = logging.getLogger(__name__)


@dataclass
class Step:
    """What became of an optional step: `error` is the exception it was stopped by (None when it succeeded)."""

    description: str
    error: Exception | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def transaction_lost(exc: BaseException, *, using: str | None = None) -> bool:
    """Whether `exc`, raised by a step that ran in a savepoint, means the enclosing transaction cannot go on."""
    connection = transaction.get_connection(using)
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return bool(connection.needs_rollback or connection.closed_in_transaction)


@contextmanager
def optional_step(
    description: str, *, savepoint: bool = True, using: str | None = None, log: logging.Logger = logger
) -> Iterator[Step]:
    """Run the block as an optional step: its failure is logged and kept in `step.error`, and the caller goes on.

    With a savepoint (the default) the step's writes are rolled back on failure. A failure that lost the enclosing
    transaction is raised, never contained (see the module's docstring). Without an enclosing transaction the
    savepoint is the step's own transaction and nothing else can be lost, so every failure is contained.
    With `savepoint=False` every database error (`django.db.Error`) is raised. The failure is logged on `log` (a
    refusal, i.e. a `ValidationError`, as a warning; anything else with its traceback).
    """
    step = Step(description)
    enclosed = transaction.get_connection(using).in_atomic_block
    try:
        if savepoint:
            with transaction.atomic(using=using):
                yield step
        else:
            yield step
    except Exception as exc:
        if not savepoint and isinstance(exc, Error):
            raise
        if enclosed and transaction_lost(exc, using=using):
            raise
        if isinstance(exc, ValidationError):
            log.warning("%s failed: %s", description, "; ".join(exc.messages))
        else:
            log.exception("%s failed", description)
        step.error = exc

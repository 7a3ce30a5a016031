"""Durable intake: every stored message is processed by id, once, whatever fails on the way.

    received ──claim (a conditional UPDATE with a lease)──▶ processing ──▶ reply | ticket | note | held | ignored
                                                                            | spam | refused | failed
    held ──a staff member accepts (inbound.services.held)──▶ reply;  held ──rejects──▶ rejected

The reply or ticket and the row's outcome are written in one transaction, and only by the holder of the row's
current lease: a message never becomes two tickets or two replies. A crash rolls that transaction back and puts the
row back to `received` (`failed` after INBOUND_MAX_ATTEMPTS); a worker that died leaves it `processing` until its
lease ends. The sweep (beat, every minute) queues again whatever is due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import files

from ..models import InboundEmail, InboundSms, State
from . import mail, sms
from .intake import Ignored, Intake, Refused, Spam, enqueue, lease, take

logger = logging.getLogger(__name__)

# Each kind of row (the task's first argument) and how a stored row of it is read.
KINDS: dict[str, tuple[type[InboundEmail] | type[InboundSms], Callable[..., Intake]]] = {
    cast(str, InboundEmail._meta.model_name): (InboundEmail, mail.read),
    cast(str, InboundSms._meta.model_name): (InboundSms, sms.read),
}


class LeaseLost(Exception):
    """The row is not ours any more (our lease ended and someone else took it): roll back, leave it to them."""


def _max_attempts() -> int:
    return int(getattr(settings, "INBOUND_MAX_ATTEMPTS", 5))


def claim(*, kind: str, inbound_id: int, now: datetime | None = None) -> datetime | None:
    """received → processing, counting the attempt. Returns the lease (the token of this claim) to the one caller
    whose UPDATE changed the row, None to everyone else."""
    model, _read = KINDS[kind]
    until = (now or timezone.now()) + lease()
    won = model.objects.filter(pk=inbound_id, state=State.RECEIVED).update(
        state=State.PROCESSING, lease_until=until, attempts=F("attempts") + 1
    )
    return until if won else None


def process_claimed(*, kind: str, inbound_id: int, until: datetime) -> str:
    """Process a row claimed with lease `until`. Returns its new state ("" when the lease was lost)."""
    model, read = KINDS[kind]
    row = model.objects.get(pk=inbound_id)
    mine = model.objects.filter(pk=inbound_id, state=State.PROCESSING, lease_until=until)
    try:
        with files.atomic():  # rolled back whole, the attachments' files included
            intake = read(row)
            state, ticket, reason = take(intake)
            if not mine.update(state=state, reason=reason[:2000], ticket=ticket, lease_until=None, **intake.recorded):
                raise LeaseLost
        return state
    except LeaseLost:
        logger.warning("Inbound %s %s was taken over after its lease ended; this attempt is rolled back", kind, row.pk)
        return ""
    except Ignored as exc:
        state, reason, due = State.IGNORED, str(exc), None
    except Spam as exc:
        state, reason, due = State.SPAM, str(exc), None
    except Refused as exc:
        state, reason, due = State.REFUSED, str(exc), None
    except (ValidationError, ValueError) as exc:
        logger.warning("Inbound %s %s not taken: %s", kind, row.pk, exc)
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        state, reason, due = State.FAILED, "; ".join(messages), None
    except Exception as exc:  # rolled back above; the row is retried (a bug, the database, a worker's fault)
        logger.exception("Processing inbound %s %s failed (attempt %s)", kind, row.pk, row.attempts)
        error = f"{type(exc).__name__}: {exc}"
        if row.attempts >= _max_attempts():
            state, due = State.FAILED, None
            reason = _("Gave up after %(count)s attempts: %(error)s") % {"count": row.attempts, "error": error}
        else:  # due at the next sweep
            state, due = State.RECEIVED, timezone.now()
            reason = _("Attempt %(count)s failed, to be retried: %(error)s") % {"count": row.attempts, "error": error}
    return state if mine.update(state=state, reason=reason[:2000], lease_until=due) else ""


def inbound_process(*, kind: str, inbound_id: int) -> str:
    """Process one stored message (the Celery task). Safe to run twice or at once: only a `received` row is claimed,
    so a processed one is left as it is. Returns the new state ("" when it wasn't ours to process)."""
    until = claim(kind=kind, inbound_id=inbound_id)
    return "" if until is None else process_claimed(kind=kind, inbound_id=inbound_id, until=until)


def inbound_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Beat, every minute: rows whose worker stopped (still `processing` past their lease) go back to `received`
    (or `failed`, their attempts used up), and `received` rows past their lease are queued again. Returns how many
    were queued."""
    now = now or timezone.now()
    queued = 0
    for kind, (model, _read) in KINDS.items():
        stopped = model.objects.filter(state=State.PROCESSING, lease_until__lt=now)
        stopped.filter(attempts__gte=_max_attempts()).update(
            state=State.FAILED,
            lease_until=None,
            reason=_("Gave up after %(count)s attempts: the processing was interrupted.") % {"count": _max_attempts()},
        )
        stopped.update(state=State.RECEIVED, reason=_("The processing was interrupted (its worker stopped); retried."))
        due = list(
            model.objects.filter(state=State.RECEIVED)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .order_by("received_at")
            .values_list("pk", flat=True)[:limit]
        )
        if due:
            model.objects.filter(pk__in=due, state=State.RECEIVED).update(lease_until=now + lease())
            queued += enqueue(kind, due)
    return queued

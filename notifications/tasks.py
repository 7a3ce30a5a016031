"""Celery entry points of the outbox: thin wrappers over `outbox`.

The task names are the ones they had in `helpdesk/tasks.py` before the app was extracted: a broker may still hold
messages carrying them during an upgrade, and the beat schedule (`CELERY_BEAT_SCHEDULE`) names them.

Retries: the outbox decides (the row's back-off and how long to keep trying); the task only schedules them. A
database error never makes the task send again: before the hand-over nothing was sent (the delivery is retried,
and the claim keeps it to one sender), after it the outcome travels in the retry (`outcome=`) and is only recorded.
In eager mode (no broker) nothing is retried here: the row stays pending or sending and the sweep takes it up.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import Error as DatabaseFailure  # DatabaseError and InterfaceError

from . import outbox
from .channels import RetryLater

logger = logging.getLogger("notifications")


# max_retries=None: no count here; the outbox bounds the retries by a duration (NOTIFICATIONS_RETRY_FOR_SECONDS).
@shared_task(
    name="helpdesk.tasks.deliver_notification", bind=True, acks_late=True, ignore_result=True, max_retries=None
)
def deliver_notification(self, notification_id: int, outcome: dict | None = None) -> str:
    """Send one outbox row, or (`outcome`, a retry after a database error) only record how its attempt ended.
    Safe to run twice: only a pending row is claimed (and so sent), and an outcome settles only its own claim."""
    try:
        if outcome is not None:
            return outbox.record(notification_id=notification_id, outcome=outbox.Outcome(**outcome))
        return outbox.deliver(notification_id=notification_id)
    except RetryLater as exc:  # the row is pending again: its next attempt after the back-off
        return _again(self, notification_id, countdown=exc.countdown, outcome=None)
    except outbox.NotRecorded as exc:  # the attempt is over; only its bookkeeping is retried
        countdown = outbox.retry_delay(self.request.retries + 1)
        return _again(self, notification_id, countdown=countdown, outcome=exc.outcome.as_dict())
    except DatabaseFailure as exc:  # before the hand-over: nothing was sent
        logger.warning("Notification %s: the database failed before sending (%s); retrying", notification_id, exc)
        return _again(self, notification_id, countdown=outbox.retry_delay(self.request.retries + 1), outcome=outcome)


def _again(task, notification_id: int, *, countdown: float, outcome: dict | None) -> str:
    if task.request.is_eager:
        return ""
    raise task.retry(args=(notification_id,), kwargs={"outcome": outcome}, countdown=countdown)


@shared_task(name="notifications.tasks.fan_out", ignore_result=True)
def fan_out(notification_ids: list[int]) -> int:
    """Queue the delivery of many rows (`outbox.enqueue_many`: a large batch handed over in one message)."""
    return outbox.enqueue(notification_ids)


@shared_task(name="helpdesk.tasks.sweep_pending", ignore_result=True)
def sweep_pending() -> int:
    """Beat, every minute: take back the rows of dead workers and queue again the rows that are due."""
    return outbox.sweep()

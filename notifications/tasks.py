"""Celery entry points of the outbox: thin wrappers over `outbox`.

The task names are the ones they had in `helpdesk/tasks.py` before the app was extracted: a broker may still hold
messages carrying them during an upgrade, and the beat schedule (`CELERY_BEAT_SCHEDULE`) names them.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import outbox
from .channels import RetryLater


@shared_task(
    name="helpdesk.tasks.deliver_notification",
    bind=True,
    autoretry_for=(RetryLater,),
    retry_backoff=True,
    retry_backoff_max=180,
    retry_jitter=True,
    max_retries=getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6),
    acks_late=True,
)
def deliver_notification(self, notification_id: int) -> str:
    """Send one outbox row. Safe to run twice: only a pending row is claimed (and so sent)."""
    return outbox.deliver(notification_id=notification_id)


@shared_task(name="helpdesk.tasks.sweep_pending")
def sweep_pending() -> int:
    """Beat, every minute: queue again the rows still pending after a few minutes."""
    return outbox.sweep()

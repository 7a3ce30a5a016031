"""Celery entry points (thin wrappers over services), scheduled in CELERY_BEAT_SCHEDULE ("Article 6" block)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="limits.tasks.compute_upcoming_ceilings")
def compute_upcoming_ceilings() -> dict[str, int]:
    """Daily, and after an admin saves a year's figures: the ceilings due now (`services.ceilings_compute_due`:
    the upcoming period's the day before it starts, the current period's still missing). Safe to run twice."""
    done = services.ceilings_compute_due()
    logger.info("Article 6 ceilings computed: %s", done)
    return done


@shared_task(name="limits.tasks.expire_requests")
def expire_requests() -> int:
    """Daily just after midnight (Tehran): increase requests still open when their period ended expire."""
    count = services.increase_requests_expire_due()
    if count:
        logger.info("Article 6 increase requests expired: %s", count)
    return count

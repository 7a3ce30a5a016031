"""Celery entry points (thin wrappers over services), scheduled in CELERY_BEAT_SCHEDULE ("Article 6" block)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from . import services
from .periods import Period, period_starting_tomorrow

logger = logging.getLogger(__name__)


@shared_task(name="limits.tasks.compute_upcoming_ceilings")
def compute_upcoming_ceilings() -> dict[str, int]:
    """Daily. The day before a period starts, compute its ceilings for every taxpayer; on any day, fill in the
    current period's ceilings that are still missing (a missed run, a new taxpayer). Safe to run twice."""
    now = timezone.now()
    done: dict[str, int] = {}
    upcoming = period_starting_tomorrow(now)
    for period in filter(None, (upcoming, Period.current(now))):
        done[str(period)] = services.ceilings_compute_for_period(period=period)
    logger.info("Article 6 ceilings computed: %s", done)
    return done


@shared_task(name="limits.tasks.expire_requests")
def expire_requests() -> int:
    """Daily just after midnight (Tehran): increase requests still open when their period ended expire."""
    count = services.increase_requests_expire_due()
    if count:
        logger.info("Article 6 increase requests expired: %s", count)
    return count

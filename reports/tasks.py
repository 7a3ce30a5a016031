"""Celery entry points, scheduled in CELERY_BEAT_SCHEDULE ("reports-refresh-stats")."""

from __future__ import annotations

import logging

from celery import shared_task

from . import stats

logger = logging.getLogger(__name__)


@shared_task(name="reports.tasks.refresh_stats")
def refresh_stats() -> dict[str, int]:
    """Every few minutes: the report roll-up's days that changed since the last run (`stats.refresh`)."""
    done = stats.refresh()
    if done["days"]:
        logger.info("Report roll-up refreshed: %s", done)
    return done

"""Celery entry points of the core. (The outbox's tasks still carry `helpdesk.tasks.*` names but live in
`notifications/tasks.py`.)"""

from __future__ import annotations

from celery import shared_task

from . import files


@shared_task(name="helpdesk.tasks.sweep_orphan_files")
def sweep_orphan_files() -> int:
    """Beat, daily: delete uploaded files that no row references (left behind by a rollback)."""
    return files.sweep_orphans()

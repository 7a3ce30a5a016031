"""Celery entry points of the tickets app: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task

from .services.sla import sla_scan


@shared_task(ignore_result=True)
def scan_sla() -> dict[str, int]:
    """Beat, every minute: record SLA warnings and breaches once and escalate (safe on two beats)."""
    result = sla_scan()
    return {"warned": len(result.warned), "breached": len(result.breached), "escalated": len(result.escalated)}

"""`GET /healthz` for load balancers and monitoring: is the database usable, is the Celery broker reachable?

200 when the site can work: the database answers and the broker answers or is not configured (tasks then run
in-process). 503 otherwise. Never blocked by maintenance mode; no session, no template, no cache.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, ERROR, NOT_CONFIGURED = "ok", "error", "not_configured"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: database check failed")
        return ERROR
    return OK


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return NOT_CONFIGURED
    from kombu import Connection  # only needed when a broker is configured

    timeout = settings.HEALTH_BROKER_TIMEOUT
    try:
        with Connection(
            url,
            connect_timeout=timeout,
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        ) as conn:
            # One attempt, no back-off sleep: a health check must answer quickly.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=timeout)
    except Exception:
        logger.warning("health: broker check failed", exc_info=True)
        return ERROR
    return OK


@never_cache
@require_safe
def healthz(request):
    state = {"database": check_database(), "broker": check_broker()}
    usable = state["database"] == OK and state["broker"] in (OK, NOT_CONFIGURED)
    return JsonResponse(state, status=200 if usable else 503)

"""`GET /healthz` for load balancers and monitoring: can the site work, and is anything it relies on down?

The body names each component's state (`ok`, `error`, or `not_configured` for a broker that is not used because
tasks run in-process) and sums them up in `status`:

- `ok` (200): everything answers;
- `degraded` (200): the database works but the broker or the cache does not. The site still takes tickets and
  replies and loses nothing (notifications and intake wait in the database for the sweeps, pages read the
  database instead of the cache), so a load balancer must keep sending traffic;
- `error` (503): the database is unusable; nothing can be served.

Never blocked by maintenance mode; no session, no template. Each component logs one warning when it starts
failing and one line when it is back (`helpdesk.outages`), however often it is probed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import cache
from .outages import Outage

logger = logging.getLogger(__name__)

OK, ERROR, NOT_CONFIGURED = "ok", "error", "not_configured"
STATUS_OK, STATUS_DEGRADED, STATUS_ERROR = "ok", "degraded", "error"

database_outage = Outage("The database", logger=logger)
broker_outage = Outage("The Celery broker", logger=logger)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        database_outage.failed(exc)
        return ERROR
    database_outage.recovered()
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
    except Exception as exc:
        broker_outage.failed(exc)
        return ERROR
    broker_outage.recovered()
    return OK


def check_cache() -> str:
    return OK if cache.ping() else ERROR


def health() -> tuple[dict[str, str], int]:
    """(the body, the HTTP status)."""
    components = {"database": check_database(), "broker": check_broker(), "cache": check_cache()}
    if components["database"] != OK:
        status, code = STATUS_ERROR, 503
    elif ERROR in components.values():
        status, code = STATUS_DEGRADED, 200
    else:
        status, code = STATUS_OK, 200
    return {"status": status, **components}, code


@never_cache
@require_safe
def healthz(request):
    body, code = health()
    return JsonResponse(body, status=code)

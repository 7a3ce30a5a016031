"""Optional cache calls: the one way the code base uses the shared cache (Redis when `REDIS_URL` is set).

Everything we cache (site settings, the IP block list, the queue's choices, presence) can be rebuilt from the
database or is a hint, so the cache only ever saves work and a cache outage must cost neither a page nor a flood of
log lines. `get`, `set` and `delete` are Django's cache calls, except that on a cache error `get` returns the
default, `set` and `delete` return False, and the error is logged once per outage (`helpdesk.outages.Outage`): a
warning when the cache stops answering and a line when it is back. During an outage one call every
`RETRY_SECONDS` tries the cache again; the others skip it rather than wait for a timeout.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache as _cache
from redis.exceptions import RedisError

from .outages import Outage

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# What a cache server that is down, unreachable or refusing writes raises (redis-py wraps most socket errors).
ERRORS = (RedisError, OSError)

outage = Outage("The cache", logger=logger, retry_seconds=RETRY_SECONDS)


def _call(method: str, *args: Any) -> tuple[bool, Any]:
    """(True, the result) or (False, None) when the cache failed, or was skipped during an outage."""
    if not outage.should_try():
        return False, None
    try:
        result = getattr(_cache, method)(*args)
    except ERRORS as exc:
        outage.failed(exc)
        return False, None
    outage.recovered()
    return True, result


def get(key: str, default: Any = None) -> Any:
    ok, value = _call("get", key, default)
    return value if ok else default


def set(key: str, value: Any, timeout: float | None) -> bool:
    """Store `value` for `timeout` seconds; False when the cache could not be written."""
    return _call("set", key, value, timeout)[0]


def delete(key: str) -> bool:
    """Forget `key`; False when the cache could not be reached: other processes may read the old value until it
    expires, so callers that invalidate keep their timeouts short enough for that."""
    return _call("delete", key)[0]


def ping() -> bool:
    """Is the cache usable right now? A real write and read, tried even during an outage (for /healthz)."""
    try:
        _cache.set("helpdesk:ping", 1, 10)
        ok = _cache.get("helpdesk:ping") == 1
    except ERRORS as exc:
        outage.failed(exc)
        return False
    outage.recovered()
    return ok

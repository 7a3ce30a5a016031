"""Cached access to the site settings singleton.

The cache is Django's default cache: Redis when `REDIS_URL` is set, so a save in one web process is seen by
every other process as soon as `clear_site_settings_cache()` runs (services call it after commit). If the cache
server is unreachable the settings are read from the database instead of failing the page (`helpdesk.cache`).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

from . import cache
from .models import SiteSettings

logger = logging.getLogger(__name__)

CACHE_KEY = "helpdesk:site-settings:v1"


# Set by `settings_read_once` for a block of work that reads the settings many times (a batch of notifications).
_held: ContextVar[SiteSettings | None] = ContextVar("site_settings_held", default=None)


def get_site_settings() -> SiteSettings:
    """The site settings, from the cache when possible (one row, read on nearly every request)."""
    held = _held.get()
    if held is not None:
        return held
    obj = cache.get(CACHE_KEY)
    if obj is None:
        obj = _load()
        cache.set(CACHE_KEY, obj, settings.SITE_SETTINGS_CACHE_SECONDS)
    return obj


@contextmanager
def settings_read_once() -> Iterator[SiteSettings]:
    """Within the block, every `get_site_settings()` returns what was read once at its start (one cache call for
    a batch of notifications rendered together, instead of one per message)."""
    held = get_site_settings()
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def clear_site_settings_cache() -> None:
    if not cache.delete(CACHE_KEY):
        logger.warning(
            "Site settings: the cache could not be cleared; other processes may show the old settings for up to %s s",
            settings.SITE_SETTINGS_CACHE_SECONDS,
        )


def _load() -> SiteSettings:
    obj, _created = SiteSettings.objects.get_or_create(pk=1)
    return obj

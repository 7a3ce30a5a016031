"""Cached access to the site settings singleton.

The cache is Django's default cache: Redis when `REDIS_URL` is set, so a save in one web process is seen by
every other process as soon as `clear_site_settings_cache()` runs (services call it after commit). If the cache
server is unreachable the settings are read from the database instead of failing the page.
"""

import logging

from django.conf import settings
from django.core.cache import cache

from .models import SiteSettings

logger = logging.getLogger(__name__)

CACHE_KEY = "helpdesk:site-settings:v1"


def get_site_settings() -> SiteSettings:
    """The site settings, from the cache when possible (one row, read on nearly every request)."""
    try:
        obj = cache.get(CACHE_KEY)
    except Exception:  # the cache is an optimisation; a Redis outage must not take the site down
        logger.warning("site settings: cache read failed", exc_info=True)
        return _load()
    if obj is None:
        obj = _load()
        try:
            cache.set(CACHE_KEY, obj, settings.SITE_SETTINGS_CACHE_SECONDS)
        except Exception:
            logger.warning("site settings: cache write failed", exc_info=True)
    return obj


def clear_site_settings_cache() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.exception("site settings: cache invalidation failed; other processes may show old settings")


def _load() -> SiteSettings:
    obj, _created = SiteSettings.objects.get_or_create(pk=1)
    return obj

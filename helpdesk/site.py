"""Cached access to the site settings singleton."""

from django.conf import settings
from django.core.cache import cache

from .models import SiteSettings

CACHE_KEY = "helpdesk:site-settings:v1"


def get_site_settings() -> SiteSettings:
    """The site settings, from the cache when possible (one row, read on nearly every request)."""
    obj = cache.get(CACHE_KEY)
    if obj is None:
        obj, _ = SiteSettings.objects.get_or_create(pk=1)
        cache.set(CACHE_KEY, obj, settings.SITE_SETTINGS_CACHE_SECONDS)
    return obj


def clear_site_settings_cache() -> None:
    cache.delete(CACHE_KEY)

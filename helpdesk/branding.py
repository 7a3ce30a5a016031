"""The public branding (the site logo, F23) and nothing else of the uploads: `/branding/<name>`.

Uploads live under `MEDIA_ROOT`, attachments included, and `MEDIA_URL` is never served (not in development either):
attachments and article files leave only through their permission-checked download views. This route serves the
files that `SiteSettings` exposes (the fields in `BRANDING_FIELDS`, stored under `branding/`) by name, to anyone,
in DEBUG and in production alike, with the type read from the content (an image, or a 404) and long caching: a new
logo gets a new random name, so a cached one is never stale.
"""

from __future__ import annotations

import re

import filetype
from django.http import FileResponse, Http404
from django.urls import reverse
from django.views.decorators.http import require_safe

from .downloads import file_response
from .models import SiteSettings
from .site import get_site_settings

FOLDER = "branding"
# The SiteSettings file fields that are public (each stored under FOLDER).
BRANDING_FIELDS = ("logo",)
# What a branding file may be, by its content.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
CACHE_CONTROL = "public, max-age=31536000, immutable"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)?$")


def branding_prefix() -> str:
    """The path every branding address starts with (`/branding/`)."""
    return reverse("branding", kwargs={"name": "_"}).removesuffix("_")


def public_names() -> set[str]:
    """The names of the branding files the site shows now."""
    site = get_site_settings()
    names = set()
    for field in BRANDING_FIELDS:
        stored = getattr(site, field).name or ""
        folder, _slash, name = stored.rpartition("/")
        if folder == FOLDER and name:
            names.add(name)
    return names


@require_safe
def branding(request, name: str) -> FileResponse:
    if not _NAME.match(name) or name not in public_names():
        raise Http404
    storage = SiteSettings._meta.get_field("logo").storage
    try:
        handle = storage.open(f"{FOLDER}/{name}", "rb")
    except OSError:  # FileNotFoundError included: the row names a file that is gone
        raise Http404 from None
    kind = filetype.guess(handle.read(261))
    handle.seek(0)
    if kind is None or kind.mime not in IMAGE_TYPES:
        handle.close()
        raise Http404
    return file_response(handle, filename=name, content_type=kind.mime, inline=True, cache_control=CACHE_CONTROL)

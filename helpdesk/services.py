"""Writes to the site-wide configuration: site settings (F22–F25, F30–F32) and the IP block list (F33).

Each service validates, writes in one transaction (with its audit entry, `helpdesk.audit`) and clears the shared
cache after commit, so every web process sees the change on its next request. The admin calls these; so can a
shell or a management command.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, Literal

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import transaction

from . import audit, files, images
from .models import IPBlock, SiteSettings
from .net import clear_blocks_cache
from .site import clear_site_settings_cache

logger = logging.getLogger(__name__)

SITE_SETTINGS_FIELDS = frozenset(
    {
        "title",
        "office_contact",
        "records_per_page",
        "max_upload_mb",
        "allowed_file_types",
        "customer_message",
        "staff_message",
        "self_registration",
        "maintenance_mode",
        "maintenance_message",
    }
)
MAINTENANCE_FIELDS = frozenset({"maintenance_mode", "maintenance_message"})
IP_BLOCK_FIELDS = frozenset({"network", "reason", "expires_at"})

KEEP = None  # `logo=KEEP` leaves the logo as it is; `logo=False` removes it.


def site_settings_update(*, logo: File | Literal[False] | None = KEEP, **changes: Any) -> SiteSettings:
    """Change the site settings. `changes` are field values (see SITE_SETTINGS_FIELDS); `logo` is a new upload
    (validated and re-encoded by `helpdesk.images.logo_from_upload`), False to remove the logo, or None to keep it.

    Raises ValidationError (nothing saved) for bad values.
    """
    unknown = set(changes) - SITE_SETTINGS_FIELDS
    if unknown:
        raise TypeError(f"site_settings_update() got unknown fields: {', '.join(sorted(unknown))}")
    # Decode and re-encode before taking the row lock: it is the slow part.
    new_logo = None if logo is KEEP or logo is False else images.logo_from_upload(logo)

    with files.atomic():  # a new logo's file goes if this rolls back
        SiteSettings.objects.get_or_create(pk=1)
        obj = SiteSettings.objects.select_for_update().get(pk=1)
        old_logo = obj.logo.name
        before = {name: getattr(obj, name) for name in changes}
        for name, value in changes.items():
            setattr(obj, name, value)
        if logo is False:
            obj.logo = ""
        obj.full_clean()
        if new_logo is not None:  # written once the values are valid
            files.save(obj.logo, new_logo.name or "logo.png", new_logo)  # reencode_image names it
        obj.save()
        _audit_site_settings(obj, before=before, old_logo=old_logo)
        transaction.on_commit(clear_site_settings_cache)
        if old_logo and old_logo != obj.logo.name:
            transaction.on_commit(lambda: _delete_file(obj.logo.storage, old_logo))
    return obj


def _audit_site_settings(obj: SiteSettings, *, before: dict[str, Any], old_logo: str) -> None:
    """Maintenance mode and its message are one entry; every other changed setting (the logo included) another."""
    before = {**before, "logo": old_logo}
    after = {name: getattr(obj, name) for name in before} | {"logo": obj.logo.name}
    maintenance = {name for name in before if name in MAINTENANCE_FIELDS}
    audit.record_change(
        audit.Action.MAINTENANCE_CHANGE,
        target=obj,
        before={name: before[name] for name in maintenance},
        after={name: after[name] for name in maintenance},
    )
    audit.record_change(
        audit.Action.SITE_SETTINGS_CHANGE,
        target=obj,
        before={name: before[name] for name in before if name not in maintenance},
        after={name: after[name] for name in before if name not in maintenance},
    )


def ip_block_add(*, network: str, reason: str = "", expires_at: datetime.datetime | None = None) -> IPBlock:
    """Block an address or a CIDR range (IPv4 or IPv6), optionally until `expires_at`."""
    return ip_block_save(block=IPBlock(network=network, reason=reason, expires_at=expires_at))


def ip_block_update(*, block: IPBlock, **changes: Any) -> IPBlock:
    unknown = set(changes) - IP_BLOCK_FIELDS
    if unknown:
        raise TypeError(f"ip_block_update() got unknown fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(block, name, value)
    return ip_block_save(block=block)


def ip_block_save(*, block: IPBlock) -> IPBlock:
    """Validate (the network is normalised, e.g. `203.0.113.7/24` → `203.0.113.0/24`) and save a new or
    changed block. Raises ValidationError (nothing saved) for a bad address or a duplicate."""
    with transaction.atomic():
        block.full_clean()
        old = IPBlock.objects.filter(pk=block.pk).values(*IP_BLOCK_FIELDS).first() if block.pk else None
        block.save()
        after = _block_values(block)
        if old is None:
            audit.record(audit.Action.IP_BLOCK_ADD, target=block, after=after)
        else:
            audit.record_change(audit.Action.IP_BLOCK_CHANGE, target=block, before=old, after=after)
        transaction.on_commit(clear_blocks_cache)
    return block


def ip_block_remove(*, block: IPBlock) -> None:
    with transaction.atomic():
        audit.record(audit.Action.IP_BLOCK_REMOVE, target=block, before=_block_values(block))
        block.delete()
        transaction.on_commit(clear_blocks_cache)


def _block_values(block: IPBlock) -> dict[str, Any]:
    return {name: getattr(block, name) for name in sorted(IP_BLOCK_FIELDS)}


def _delete_file(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("could not delete the replaced logo %s", name, exc_info=True)

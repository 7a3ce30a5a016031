"""Attachment uploads: validation against the site settings, content sniffing, random storage names."""

from __future__ import annotations

import uuid

from django.utils import timezone


def attachment_upload_to(instance, filename: str) -> str:
    """`attachments/YYYY/MM/DD/<random hex>.<ext>`: the stored name never comes from the user."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if not ext.isalnum() or len(ext) > 8:
        ext = "bin"
    return f"attachments/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.{ext}"

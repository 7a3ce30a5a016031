"""Where ticket attachments are stored. The checks themselves (content sniffing, size and type limits, image
re-encoding) are `helpdesk.uploads`, shared with the knowledge base and the Article 6 form."""

from __future__ import annotations

import uuid

from django.utils import timezone


def attachment_upload_to(instance, filename: str) -> str:
    """`attachments/YYYY/MM/DD/<random hex>.<ext>`: the stored name never comes from the user."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    if not ext.isalnum() or len(ext) > 8:
        ext = "bin"
    return f"attachments/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.{ext}"

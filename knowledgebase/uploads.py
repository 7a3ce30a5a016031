"""Files attached to articles are checked exactly like ticket attachments: `helpdesk.uploads` sniffs the content
(never trusting the name or the browser's type), applies the site's size and type limits, refuses programs,
scripts and web pages, and re-encodes JPEG/PNG images so nothing hidden in them is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files import File

from helpdesk.uploads import prepare_upload, validate_upload


@dataclass(frozen=True)
class UploadInfo:
    name: str  # cleaned original name
    size: int
    content_type: str  # sniffed
    is_image: bool


def _info(check) -> UploadInfo:
    return UploadInfo(
        name=check.name,
        size=check.size,
        content_type=check.content_type,
        is_image=check.content_type.startswith("image/"),
    )


def validate_attachment(file) -> UploadInfo:
    """Raise ValidationError with the reason, or describe the file (for early errors in forms)."""
    return _info(validate_upload(file))


def prepare_attachment(file) -> tuple[UploadInfo, File]:
    """Validate and return the description and the content to store (images re-encoded)."""
    check, content = prepare_upload(file)
    return _info(check), content

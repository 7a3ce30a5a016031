"""Checks for files attached to articles: size and type from the site settings, judged by content.

Images go through `helpdesk.images.check_image` (Pillow reads the header and verifies the structure);
other files must have an allowed extension and, where their content reveals a type, that type must agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from helpdesk.images import check_image
from helpdesk.site import get_site_settings

IMAGE_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "webp"}
# Extensions whose content filetype may report under another name.
_ALIASES = {
    "jpg": {"jpg", "jpeg"},
    "jpeg": {"jpg", "jpeg"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "pptx": {"pptx", "zip"},
    "doc": {"doc", "xls", "ppt", "msi"},
    "xls": {"xls", "doc", "ppt", "msi"},
}
TEXT_EXTENSIONS = {"txt", "csv", "md"}

MSG_EMPTY = _("The file is empty.")
MSG_TOO_LARGE = _("The file is %(size)s; the largest allowed is %(limit)s.")
MSG_EXTENSION = _("Files of type “%(ext)s” are not allowed. Allowed types: %(allowed)s.")
MSG_MISMATCH = _("The file's content does not match its name (it looks like a “%(kind)s” file).")
MSG_NOT_TEXT = _("The file is not plain text.")


@dataclass(frozen=True)
class UploadInfo:
    size: int
    content_type: str
    is_image: bool


def validate_attachment(file: IO[bytes]) -> UploadInfo:
    """Raise ValidationError with the reason, or return what the file is. Leaves the file at its start."""
    site = get_site_settings()
    name = getattr(file, "name", "") or ""
    ext = PurePath(name).suffix.lower().lstrip(".")
    size = int(getattr(file, "size", 0) or 0)
    if size == 0:
        raise ValidationError(MSG_EMPTY, code="empty")
    if size > site.max_upload_bytes:
        raise ValidationError(
            MSG_TOO_LARGE,
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(site.max_upload_bytes)},
        )
    allowed = site.allowed_extensions
    if ext not in allowed:
        raise ValidationError(
            MSG_EXTENSION, code="extension", params={"ext": ext or "—", "allowed": "، ".join(sorted(allowed))}
        )
    if ext in IMAGE_EXTENSIONS:
        check_image(file, max_bytes=site.max_upload_bytes)
        kind = _guess(file)
        return UploadInfo(size=size, content_type=kind.mime if kind else f"image/{ext}", is_image=True)

    kind = _guess(file)
    if ext in TEXT_EXTENSIONS:
        head = _head(file)
        if kind is not None or b"\x00" in head:
            raise ValidationError(MSG_NOT_TEXT, code="not_text")
        return UploadInfo(size=size, content_type="text/csv" if ext == "csv" else "text/plain", is_image=False)
    if kind is None or kind.extension not in _ALIASES.get(ext, {ext}):
        raise ValidationError(MSG_MISMATCH, code="mismatch", params={"kind": kind.extension if kind else "?"})
    return UploadInfo(size=size, content_type=kind.mime, is_image=False)


def _head(file: IO[bytes], n: int = 8192) -> bytes:
    file.seek(0)
    data = file.read(n)
    file.seek(0)
    return data


def _guess(file: IO[bytes]):
    return filetype.guess(_head(file))

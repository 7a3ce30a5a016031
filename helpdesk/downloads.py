"""How every stored file leaves the site: ticket attachments, article files and the public branding.

One response builder for all of them (`file_response`), so a file is never a page wherever it is served from: the
`sandbox` Content-Security-Policy (no scripts, plugins or forms, even when a browser is talked into rendering it),
`nosniff` (the browser keeps the type we send), and anything that is not an image or a PDF as a download
(`Content-Disposition: attachment`, `application/octet-stream`).
"""

from __future__ import annotations

from typing import IO

from django.http import FileResponse

# A file is never a page: no scripts, no plugins, no forms, even when a browser is talked into rendering it.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

PRIVATE = "private, no-store"


def file_response(
    handle: IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool,
    cache_control: str = PRIVATE,
    cross_origin: str = "same-origin",
) -> FileResponse:
    """A download of `handle`. `inline` (only for types `helpdesk.uploads` found safe to show: images, PDF) keeps
    `content_type` and lets the browser show it; otherwise it is an `application/octet-stream` attachment."""
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = cache_control
    response["Cross-Origin-Resource-Policy"] = cross_origin
    return response

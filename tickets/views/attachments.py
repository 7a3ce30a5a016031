"""Attachment downloads: only through this view, only for people who may see the message (F15)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from helpdesk.downloads import file_response

from .. import permissions


@login_required
@require_GET
def attachment_download(request, pk: int):
    attachment = get_object_or_404(permissions.visible_attachments(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return file_response(
        handle, filename=attachment.original_name, content_type=attachment.content_type, inline=attachment.inline_safe
    )

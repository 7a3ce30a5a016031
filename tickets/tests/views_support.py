"""Helpers for the tickets view tests: real uploads, URLs, and a query counter that compares two runs."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image


def png(name: str = "screenshot.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_file(name: str = "notes.txt", content: bytes = b"hello\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def html_file(name: str = "page.html") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", content_type="text/html")


def ticket_url(name: str, ticket) -> str:
    return reverse(f"tickets:{name}", args=[ticket.reference])


def count_queries(func) -> int:
    """How many queries `func()` runs (for "1 row vs 30 rows" tests, compared with ==)."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []

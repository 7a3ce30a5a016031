"""Attachment downloads: permission-checked, never rendered as a page by the browser."""

import pytest
from django.urls import reverse

from tickets.models import Attachment

from .views_support import png, text_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(make_ticket):
    make_ticket(attachments=[png("عکس.png"), text_file("log.txt", b"line\n")])
    return {a.original_name: a for a in Attachment.objects.all()}


def _get(client, attachment):
    return client.get(reverse("tickets:attachment", args=[attachment.pk]))


def test_plain_file_is_a_download_with_safe_headers(client, customer, files):
    client.force_login(customer)
    response = _get(client, files["log.txt"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="log.txt"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"line\n"


def test_image_may_show_inline_with_its_sniffed_type(client, customer, files):
    client.force_login(customer)
    response = _get(client, files["عکس.png"])
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''" in response["Content-Disposition"]  # the Persian name survives
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_missing_file_on_disk_is_a_404(client, customer, files):
    attachment = files["log.txt"]
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(customer)
    assert _get(client, attachment).status_code == 404


def test_unknown_attachment_is_a_404(client, customer):
    client.force_login(customer)
    assert client.get(reverse("tickets:attachment", args=[987654])).status_code == 404


def test_links_in_the_thread_point_to_the_checked_view(client, customer, files, make_ticket):
    client.force_login(customer)
    ticket = files["log.txt"].message.ticket
    html = client.get(reverse("tickets:detail", args=[ticket.reference])).content.decode()
    assert reverse("tickets:attachment", args=[files["log.txt"].pk]) in html
    assert "/media/" not in html

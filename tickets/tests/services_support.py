"""Helpers for the ticket service tests: a real PDF upload, the event kinds a ticket recorded, a refusal's code."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import TicketEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="invoice.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("kind", flat=True))


def codes(exc_info):
    return exc_info.value.code

"""User-controlled text is escaped on the pages that build rows and drop-downs in Python for speed."""

import pytest

from accounts.tests.factories import CustomerFactory, ManagerFactory
from tickets import services
from tickets.models import Department, Priority

PAYLOAD = '<script>alert(1)</script>"onmouseover="x'


@pytest.mark.django_db
def test_payloads_in_every_rendered_field_are_escaped(client):
    department = Department.objects.create(name="D" + PAYLOAD, is_public=True)
    Priority.objects.create(name="P" + PAYLOAD, order=1, colour="#112233", is_default=True)
    customer = CustomerFactory(full_name="N" + PAYLOAD)
    ticket = services.ticket_create(
        requester=customer, department=department, subject="S" + PAYLOAD, body="b", channel="web", created_by=customer
    )
    manager = ManagerFactory()
    services.ticket_set_tags(ticket=ticket, tags=["T" + PAYLOAD], actor=manager)

    pages = [(manager, "/tickets/queue/"), (manager, f"/tickets/{ticket.reference}/")]
    pages += [(customer, "/tickets/"), (customer, f"/tickets/{ticket.reference}/")]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "S&lt;script&gt;" in html, url  # the subject is there, escaped
        assert "<script>alert(1)" not in html, url
        assert '"onmouseover="x' not in html, url

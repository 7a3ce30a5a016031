"""`manage.py inbound_sample` posts a sample email over HTTP to a running site (here pytest's live server), as
under `make run`, to the inbound address the demo gives a department: it becomes a ticket there."""

from __future__ import annotations

import socket

import pytest
from django.core.management import CommandError, call_command

from inbound.models import InboundEmail, State
from tickets.models import Department, Ticket


@pytest.mark.django_db
def test_the_demo_gives_a_department_the_inbound_address_of_the_readme(settings, department):
    settings.DEBUG = True  # load_demo's condition
    department.name = "واحد آزمون"  # the inbound tests' own department has the demo's name
    department.save(update_fields=["name"])
    call_command("load_demo")
    assert Department.objects.get(inbound_email="support@example.com").is_active


@pytest.mark.django_db(transaction=True)
def test_the_sample_posted_to_the_running_site_becomes_a_ticket(live_server, department, capsys):
    call_command("inbound_sample", url=live_server.url, subject="نمونه از فرمان")
    assert "Posted <" in capsys.readouterr().out
    row = InboundEmail.objects.get()
    assert row.state == State.TICKET and row.recipients == department.inbound_email
    ticket = Ticket.objects.get()
    assert ticket.subject == "نمونه از فرمان" and ticket.department == department
    assert ticket.requester.email == "customer@example.com"


@pytest.mark.django_db
def test_it_needs_postmark_and_an_inbound_address(settings, department):
    settings.INBOUND_EMAIL_PROVIDER = "mailgun"
    with pytest.raises(CommandError, match="Postmark"):
        call_command("inbound_sample")
    settings.INBOUND_EMAIL_PROVIDER = "postmark"
    settings.INBOUND_EMAIL_ADDRESS = ""
    Department.objects.update(inbound_email="")
    with pytest.raises(CommandError, match="inbound email address"):
        call_command("inbound_sample")


@pytest.mark.django_db
def test_a_site_that_is_not_running_is_a_clear_error(department):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CommandError, match="is the site running"):
        call_command("inbound_sample", url=f"http://127.0.0.1:{port}")

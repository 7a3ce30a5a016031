"""Pinned query counts (#9) of the inbound admin: stored emails and SMS, each linked to its ticket (read-only:
nothing is added here)."""

import pytest

from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins
from inbound.models import InboundEmail, InboundSms, State

pytestmark = pytest.mark.django_db

ADMIN = {
    InboundEmail: AdminPins(changelist=7, add=Denied(2), change=5, history=5, delete=4),
    InboundSms: AdminPins(changelist=6, add=Denied(2), change=5, history=5, delete=4),
}


@pytest.fixture
def makers(ticket):
    def emails(n):
        start = InboundEmail.objects.count()
        return InboundEmail.objects.bulk_create(
            InboundEmail(
                message_id=f"<{start + i}@example.com>",
                sender="a@example.com",
                subject=f"s{i}",
                state=State.REPLY,
                ticket=ticket,
            )
            for i in range(n)
        )[-1]

    def sms(n):
        start = InboundSms.objects.count()
        return InboundSms.objects.bulk_create(
            InboundSms(
                provider_message_id=str(start + i),
                source=InboundSms.Source.CALLBACK,
                sender="09121110000",
                text="t",
                state=State.REPLY,
                ticket=ticket,
            )
            for i in range(n)
        )[-1]

    return {InboundEmail: emails, InboundSms: sms}


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(client, site_admin, makers, model):
    client.force_login(site_admin)
    admin_pins(client, model, ADMIN[model], makers[model])

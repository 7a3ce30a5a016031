import datetime as dt

import jdatetime
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import CustomerFactory
from limits.periods import TEHRAN

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def tehran(jy: int, jm: int, jd: int, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    g = jdatetime.date(jy, jm, jd).togregorian()
    return dt.datetime(g.year, g.month, g.day, hour, minute, second, tzinfo=TEHRAN)


def signed_form(name: str = "request-form.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def seller(db):
    return CustomerFactory()


@pytest.fixture
def taxpayer(seller):
    from .factories import TaxpayerFactory

    return TaxpayerFactory(owner_user=seller)


@pytest.fixture
def officer(db):
    """Staff who handle Article 6 requests: a member of the Article 6 department."""
    from accounts.tests.factories import AgentFactory
    from limits.services import article6_ticket_type

    agent = AgentFactory()
    article6_ticket_type().default_department.members.add(agent)
    return agent

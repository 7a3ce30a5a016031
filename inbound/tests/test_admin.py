import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import AdminFactory
from inbound.models import InboundEmail, InboundSms

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    user = AdminFactory(email="root@example.com")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _rows(start, stop):
    for i in range(start, stop):
        InboundEmail.objects.create(message_id=f"<{i}@x>", sender="a@example.com", subject=f"s{i}")
        InboundSms.objects.create(provider_message_id=str(i), source="callback", sender="09121110000", text="t")


@pytest.mark.parametrize("url", ["/admin/inbound/inboundemail/", "/admin/inbound/inboundsms/"])
def test_changelists_load_with_a_constant_number_of_queries(client, superuser, django_assert_max_num_queries, url):
    client.force_login(superuser)
    _rows(0, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _rows(1, 30)
    with django_assert_max_num_queries(len(one)):
        assert client.get(url).status_code == 200


def test_no_add_from_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/inbound/inboundemail/add/").status_code == 403

import pytest

from accounts.tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    user = AdminFactory(email="root@example.com")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_no_add_from_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/inbound/inboundemail/add/").status_code == 403

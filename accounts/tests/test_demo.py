import pytest
from django.contrib.auth.models import Group

from accounts import demo
from accounts.models import Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_demo_has_one_user_per_role_and_an_organisation():
    accounts = demo.load()
    assert len(accounts) == 6
    by_email = {email: User.objects.get(email=email) for _label, email, _password in accounts}
    assert {user.role for user in by_email.values()} == set(Role.values)
    for _label, email, password in accounts:
        assert by_email[email].check_password(password)
    organisation = Organisation.objects.get(name=demo.ORGANISATION_NAME)
    assert organisation.sharing == Organisation.Sharing.ALL
    assert set(organisation.members.values_list("email", flat=True)) == set(demo.ORGANISATION_MEMBERS)
    manager = by_email["manager@example.com"]
    assert manager.is_staff and manager.groups.filter(name="Manager").exists()


def test_demo_is_idempotent():
    first = demo.load()
    counts = (User.objects.count(), Organisation.objects.count(), Group.objects.count())
    assert demo.load() == first
    assert (User.objects.count(), Organisation.objects.count(), Group.objects.count()) == counts


def test_demo_logins_work(client):
    demo.load()
    response = client.post("/accounts/login/", {"username": "09120000004", "password": demo.PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email="supervisor@example.com").pk)

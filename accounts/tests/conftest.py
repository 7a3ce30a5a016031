import pytest
from django.utils import translation

from accounts import services
from accounts.models import Role
from accounts.tests.factories import PASSWORD, OrganisationFactory


@pytest.fixture(autouse=True)
def _persian():
    """Assertions compare with texts rendered in Persian (the site's default language)."""
    with translation.override("fa"):
        yield


@pytest.fixture
def customer(db):
    return services.customer_create(
        full_name="مریم احمدی", email="maryam@example.com", mobile="09121234567", password=PASSWORD
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def manager(db):
    """A manager made through the services: in the Manager group, is_staff, not a superuser."""
    return services.employee_create(
        full_name="نرگس مدیر", role=Role.MANAGER, email="manager@example.com", password=PASSWORD
    )


@pytest.fixture
def supervisor(db):
    return services.employee_create(
        full_name="رضا ناظر", role=Role.SUPERVISOR, email="supervisor@example.com", password=PASSWORD
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client

"""Pinned query counts (#9) of the two-factor pages and of the requirement's admin pages."""

import pytest
from django.urls import reverse

from accounts import services, twofactor
from accounts.models import Role, TwoFactorRequirement
from accounts.tests.factories import PASSWORD
from accounts.tests.test_twofactor import enrol, require
from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, pinned_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return services.employee_create(full_name="مدیر", role=Role.ADMIN, email="root@example.com", password=PASSWORD)


@pytest.mark.pins("accounts:login_code")
def test_the_code_step(client, customer):
    enrol(customer)
    client.post("/accounts/login/", {"username": customer.email, "password": PASSWORD})
    # session, the pending user, its TOTP device
    pinned_get(client, reverse("accounts:login_code"), 3)


@pytest.mark.pins("accounts:two_factor_setup")
def test_enrolment_from_the_profile(client, customer):
    client.force_login(customer)
    # session, user, its devices (TOTP, backup codes), the session saved with the key (first GET only: 0 here)
    pinned_get(client, reverse("accounts:two_factor_setup"), 4)


def test_enrolment_right_after_the_password(client, admin_user):
    require(Role.ADMIN)
    client.post("/accounts/login/", {"username": admin_user.email, "password": PASSWORD})
    # session, the pending user, its devices (TOTP, backup codes)
    pinned_get(client, reverse("accounts:two_factor_setup"), 4)


@pytest.mark.pins("accounts:two_factor_backup_codes")
def test_the_backup_codes_page(client, customer):
    client.force_login(customer)
    client.get(reverse("accounts:profile"))
    session = client.session
    session[twofactor.BACKUP_CODES_KEY] = {"codes": ["abcde-fghij"], "next": "/"}
    session.save()
    # session, user, the session saved without the codes (shown once)
    pinned_get(client, reverse("accounts:two_factor_backup_codes"), 2, status=302)


@pytest.mark.pins("accounts:two_factor_disable")
def test_the_turn_off_page(client, customer):
    enrol(customer)
    client.force_login(customer)
    # session, user, its TOTP device
    pinned_get(client, reverse("accounts:two_factor_disable"), 3)


def test_the_profile_with_two_factor_on(client, customer):
    enrol(customer)
    client.force_login(customer)
    # session, user, the TOTP device, the backup codes left
    pinned_get(client, reverse("accounts:profile"), 4)


ADMIN = {TwoFactorRequirement: AdminPins(changelist=8, add=Denied(2), change=6, history=7, delete=Denied(3))}


@pytest.mark.pins(*admin_names(ADMIN))
def test_the_requirement_admin(client, admin_user):
    client.force_login(admin_user)
    admin_pins(
        client, TwoFactorRequirement, ADMIN[TwoFactorRequirement], lambda n: TwoFactorRequirement.objects.last(), many=1
    )

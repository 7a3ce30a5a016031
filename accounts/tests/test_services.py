import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import Role, User
from accounts.roles import ROLE_GROUPS
from accounts.tests.factories import PASSWORD, CustomerFactory, OrganisationFactory
from helpdesk.tests.errors import error_codes

pytestmark = pytest.mark.django_db


def role_groups(user):
    return set(user.groups.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True))


@pytest.mark.parametrize(
    "role, is_staff",
    [
        (Role.CUSTOMER, False),
        (Role.AGENT, False),
        (Role.SUPERVISOR, True),
        (Role.MANAGER, True),
        (Role.ADMIN, True),
    ],
)
def test_user_set_role_keeps_group_and_is_staff_in_step(role, is_staff):
    user = CustomerFactory()
    other = Group.objects.create(name="Newsletter editors")
    user.groups.add(other, Group.objects.get(name="Customer"))

    services.user_set_role(user=user, role=role)

    assert user.role == role and user.is_staff is is_staff  # the caller's instance is up to date
    user = User.objects.get(pk=user.pk)
    assert (user.role, user.is_staff) == (role, is_staff)
    assert role_groups(user) == {ROLE_GROUPS[role]}
    assert user.groups.filter(pk=other.pk).exists()  # groups that are not roles stay


def test_demotion_removes_staff_superuser_and_old_group():
    user = services.employee_create(full_name="مدیر", role=Role.ADMIN, email="a@example.com")
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    services.user_set_role(user=user, role=Role.AGENT)
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert role_groups(user) == {"Agent"}


def test_becoming_an_employee_leaves_the_organisation():
    user = CustomerFactory(organisation=OrganisationFactory())
    services.user_set_role(user=user, role=Role.AGENT)
    user.refresh_from_db()
    assert user.organisation_id is None


def test_user_set_role_rejects_unknown_roles():
    with pytest.raises(ValueError):
        services.user_set_role(user=CustomerFactory(), role="owner")


def test_customer_create_normalises_identifiers():
    organisation = OrganisationFactory()
    user = services.customer_create(
        full_name="  سارا  ",
        email=" Sara@Example.COM ",
        mobile="+98 (912) 765-4321",
        national_id="۰۰۱۳۵۴۲۴۱۹",
        password=PASSWORD,
        organisation=organisation,
    )
    user.refresh_from_db()
    assert (user.full_name, user.email, user.mobile, user.national_id) == (
        "سارا",
        "sara@example.com",
        "09127654321",
        "0013542419",
    )
    assert user.check_password(PASSWORD)
    assert user.organisation == organisation
    assert role_groups(user) == {"Customer"}
    assert user.is_staff is False


def test_customer_without_email_or_password():
    user = services.customer_create(full_name="بی ایمیل", email="", mobile="09120000009")
    assert user.email is None
    assert not user.has_usable_password()


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        ({"email": "TAKEN@example.com"}, "email", "unique"),
        ({"mobile": "+989350001122"}, "mobile", "unique"),
        ({"mobile": "12345"}, "mobile", "invalid_mobile"),
        ({"national_id": "1111111111", "email": "new@example.com"}, "national_id", "invalid_national_id"),
        ({"email": "", "mobile": ""}, "__all__", "email_or_mobile"),
        ({"email": "not-an-email"}, "email", "invalid"),
    ],
)
def test_customer_create_rejects_bad_input_and_saves_nothing(kwargs, field, code):
    CustomerFactory(email="taken@example.com", mobile="09350001122")
    before = User.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.customer_create(full_name="تازه", **kwargs)
    assert error_codes(excinfo.value) == {field: [code]}
    assert User.objects.count() == before


def test_employee_create_sets_role_group_and_staff():
    user = services.employee_create(full_name="ناظر", role=Role.SUPERVISOR, mobile="09120000010", password=PASSWORD)
    user.refresh_from_db()
    assert (user.role, user.is_staff) == (Role.SUPERVISOR, True)
    assert role_groups(user) == {"Supervisor"}
    assert user.has_perm("accounts.view_customer")


def test_employee_create_refuses_the_customer_role():
    with pytest.raises(ValidationError) as excinfo:
        services.employee_create(full_name="x", role=Role.CUSTOMER, email="x@example.com")
    assert excinfo.value.message_dict["role"] == [str(services.MSG_NOT_STAFF_ROLE)]
    assert error_codes(excinfo.value) == {"role": ["not_staff_role"]}
    assert not User.objects.filter(email="x@example.com").exists()


def test_suspend_and_reactivate(customer, manager):
    services.user_suspend(user=customer, reason="  پرداخت نشده ", actor=manager)
    customer.refresh_from_db()
    assert customer.is_suspended
    assert customer.suspension_reason == "پرداخت نشده"
    assert abs(customer.suspended_at - timezone.now()) < dt.timedelta(seconds=5)

    services.user_reactivate(user=customer, actor=manager)
    customer.refresh_from_db()
    assert (customer.suspended_at, customer.suspension_reason) == (None, "")


def test_suspend_needs_a_reason_and_not_yourself(customer, manager):
    with pytest.raises(ValidationError) as excinfo:
        services.user_suspend(user=customer, reason="   ", actor=manager)
    assert excinfo.value.messages == [str(services.MSG_REASON_REQUIRED)]
    assert excinfo.value.code == "reason_required"
    with pytest.raises(ValidationError) as excinfo:
        services.user_suspend(user=manager, reason="x", actor=manager)
    assert excinfo.value.code == "suspend_self"
    customer.refresh_from_db()
    manager.refresh_from_db()
    assert not customer.is_suspended and not manager.is_suspended


def test_suspend_twice_is_refused(customer, manager):
    services.user_suspend(user=customer, reason="اول", actor=manager)
    with pytest.raises(ValidationError) as excinfo:
        services.user_suspend(user=customer, reason="دوم", actor=manager)
    assert excinfo.value.code == "already_suspended"
    customer.refresh_from_db()
    assert customer.suspension_reason == "اول"


def test_reactivate_lifts_a_past_expiry_but_keeps_a_future_one(manager):
    past = CustomerFactory(expires_at=timezone.now() - dt.timedelta(days=1))
    future_date = timezone.now() + dt.timedelta(days=30)
    future = CustomerFactory(expires_at=future_date)
    services.user_reactivate(user=past, actor=manager)
    services.user_reactivate(user=future, actor=manager)
    past.refresh_from_db()
    future.refresh_from_db()
    assert past.expires_at is None
    assert future.expires_at == future_date


def test_organisation_add_member(customer, organisation):
    services.organisation_add_member(
        organisation=organisation, user=customer, organisation_role=User.OrganisationRole.MANAGER
    )
    customer.refresh_from_db()
    assert customer.organisation == organisation
    assert customer.organisation_role == User.OrganisationRole.MANAGER
    services.organisation_remove_member(user=customer)
    customer.refresh_from_db()
    assert customer.organisation is None


def test_only_customers_join_organisations(manager, organisation):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_add_member(organisation=organisation, user=manager)
    assert excinfo.value.code == "not_customer"
    manager.refresh_from_db()
    assert manager.organisation_id is None


def test_user_update_rejects_a_taken_mobile_and_saves_nothing(customer):
    CustomerFactory(mobile="09350001122")
    with pytest.raises(ValidationError) as excinfo:
        services.user_update(user=customer, full_name="نام تازه", mobile="۰۹۳۵۰۰۰۱۱۲۲")
    assert error_codes(excinfo.value) == {"mobile": ["unique"]}
    customer.refresh_from_db()
    assert (customer.full_name, customer.mobile) == ("مریم احمدی", "09121234567")


def test_user_update_profile_refuses_other_fields(customer):
    with pytest.raises(TypeError):
        services.user_update_profile(user=customer, role=Role.ADMIN)


def test_email_unique_regardless_of_case_at_the_database():
    """Even a write that skips the services cannot create a second account differing only in case."""
    from django.db import IntegrityError, transaction

    CustomerFactory(email="same@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(full_name="x", email="SAME@example.com")


def test_actors_cannot_act_above_their_rank(manager, supervisor):
    boss = services.employee_create(full_name="رئیس", role=Role.ADMIN, email="boss@example.com")
    agent = services.employee_create(full_name="کارشناس", role=Role.AGENT, email="agent@example.com")
    with pytest.raises(ValidationError) as excinfo:
        services.user_set_role(user=agent, role=Role.ADMIN, actor=manager)
    assert excinfo.value.message_dict["role"] == [str(services.MSG_RANK)]
    assert error_codes(excinfo.value) == {"role": ["rank"]}
    for refused in (
        lambda: services.user_set_role(user=boss, role=Role.AGENT, actor=manager),
        lambda: services.user_suspend(user=boss, reason="x", actor=supervisor),
        lambda: services.employee_create(full_name="x", role=Role.MANAGER, email="x@example.com", actor=supervisor),
    ):
        with pytest.raises(ValidationError) as excinfo:
            refused()
        assert error_codes(excinfo.value) == {"role": ["rank"]}
    boss.refresh_from_db()
    agent.refresh_from_db()
    assert (boss.role, boss.suspended_at, agent.role) == (Role.ADMIN, None, Role.AGENT)
    assert not User.objects.filter(email="x@example.com").exists()
    # Up to their own rank is fine.
    services.user_set_role(user=agent, role=Role.MANAGER, actor=manager)
    services.user_suspend(user=agent, reason="x", actor=manager)

"""Admin site: Customers and Employees pages (create, search, filters, actions), Organisations, query counts."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import services
from accounts.models import Organisation, Role, User
from accounts.tests.factories import PASSWORD, AgentFactory, CustomerFactory, OrganisationFactory
from helpdesk.validators import MSG_LEGAL_ID, MSG_NATIONAL_ID

pytestmark = pytest.mark.django_db

CUSTOMERS = "/admin/accounts/customer/"
EMPLOYEES = "/admin/accounts/employee/"
ORGANISATIONS = "/admin/accounts/organisation/"
NEW_PASSWORD = "Gozarvazheh-1403!"


def customer_form(**changes):
    data = {
        "full_name": "شرکت‌کنندهٔ تازه",
        "email": "",
        "mobile": "",
        "national_id": "",
        "language": "fa",
        "organisation": "",
        "organisation_role": "member",
        "expires_at_0": "",
        "expires_at_1": "",
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "_save": "Save",
    }
    data.update(changes)
    return data


def employee_form(**changes):
    data = customer_form(**changes)
    data.pop("organisation")
    data.pop("organisation_role")
    data.setdefault("role", "agent")
    return data


def changelist_ids(response):
    return sorted(obj.pk for obj in response.context["cl"].result_list)


# --- access ------------------------------------------------------------------------------------------------------


def test_customers_cannot_use_the_admin(client, customer):
    client.force_login(customer)
    assert client.get(CUSTOMERS).status_code == 302


def test_agent_is_not_staff(client):
    agent = services.employee_create(full_name="کارشناس", role=Role.AGENT, email="agent@example.com")
    client.force_login(agent)
    assert client.get(CUSTOMERS).status_code == 302


def test_supervisor_sees_customers_but_cannot_add_employees(client, supervisor):
    client.force_login(supervisor)
    assert client.get(CUSTOMERS).status_code == 200
    assert client.get(EMPLOYEES).status_code == 200
    assert client.get(EMPLOYEES + "add/").status_code == 403


def test_admin_login_by_mobile_and_suspended_staff_refused(client, manager, supervisor):
    services.user_update(user=manager, mobile="09121110000")
    response = client.post("/admin/login/?next=/admin/", {"username": "+98 912 111 0000", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/accounts/logout/")

    services.user_suspend(user=supervisor, reason="مرخصی طولانی", actor=manager)
    response = client.post("/admin/login/?next=/admin/", {"username": "supervisor@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "مرخصی طولانی" in response.content.decode()


# --- creating people ---------------------------------------------------------------------------------------------


def test_create_customer_normalises_and_goes_through_the_service(manager_client, organisation):
    response = manager_client.post(
        CUSTOMERS + "add/",
        customer_form(
            email="  New.Customer@Example.COM ",
            mobile="+98 912 555 4433",
            national_id="۰۰۸۴۵۷۵۹۴۸",
            organisation=organisation.pk,
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.customer@example.com")
    assert (user.mobile, user.national_id, user.role, user.is_staff) == ("09125554433", "0084575948", "customer", False)
    assert user.organisation == organisation
    assert user.check_password(NEW_PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == ["Customer"]


def test_create_customer_with_blank_email_stores_null(manager_client):
    response = manager_client.post(CUSTOMERS + "add/", customer_form(mobile="09125554433"))
    assert response.status_code == 302
    assert User.objects.get(mobile="09125554433").email is None


def test_create_customer_without_a_password(manager_client):
    data = customer_form(email="nopass@example.com", usable_password="false", password1="", password2="")
    assert manager_client.post(CUSTOMERS + "add/", data).status_code == 302
    assert not User.objects.get(email="nopass@example.com").has_usable_password()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "", "mobile": ""}, "ایمیل یا شمارهٔ موبایل را وارد کنید"),
        ({"email": "TAKEN@example.com"}, "کاربری با این ایمیل از قبل وجود دارد."),
        ({"mobile": "۰۹۳۵۰۰۰۱۱۲۲"}, None),
        ({"email": "ok@example.com", "national_id": "1234567890"}, str(MSG_NATIONAL_ID)),
        ({"email": "ok@example.com", "password2": "something-else-1"}, None),
    ],
)
def test_create_customer_bad_input_saves_nothing(manager_client, changes, message):
    CustomerFactory(email="taken@example.com", mobile="09350001122")
    before = User.objects.count()
    response = manager_client.post(CUSTOMERS + "add/", customer_form(**changes))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    if message:
        assert message in response.content.decode()
    assert User.objects.count() == before


def test_create_employee_sets_group_and_staff(manager_client):
    response = manager_client.post(EMPLOYEES + "add/", employee_form(email="sup@example.com", role="supervisor"))
    assert response.status_code == 302
    user = User.objects.get(email="sup@example.com")
    assert (user.role, user.is_staff, user.is_superuser) == ("supervisor", True, False)
    assert list(user.groups.values_list("name", flat=True)) == ["Supervisor"]


def test_manager_cannot_create_an_admin(manager_client):
    response = manager_client.post(EMPLOYEES + "add/", employee_form(email="boss@example.com", role="admin"))
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert not User.objects.filter(email="boss@example.com").exists()


def test_employee_page_offers_no_customer_role(manager_client):
    form = manager_client.get(EMPLOYEES + "add/").context["adminform"].form
    assert [value for value, _label in form.fields["role"].choices if value] == ["agent", "supervisor", "manager"]


def test_manager_cannot_edit_an_admin(manager_client):
    boss = services.employee_create(full_name="رئیس", role=Role.ADMIN, email="boss@example.com")
    assert manager_client.get(f"{EMPLOYEES}{boss.pk}/change/").status_code == 200  # view only
    response = manager_client.post(f"{EMPLOYEES}{boss.pk}/change/", {"full_name": "x", "role": "agent"})
    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.role == Role.ADMIN


def test_role_change_in_the_admin_uses_user_set_role(manager_client):
    agent = services.employee_create(full_name="کارشناس", role=Role.AGENT, email="agent@example.com")
    page = manager_client.get(f"{EMPLOYEES}{agent.pk}/change/")
    form = page.context["adminform"].form
    # What a browser posts back: a list (e.g. of departments) as its values, nothing as "".
    data = {name: form.initial.get(name) for name in form.fields if name != "password"}
    data = {name: "" if value is None else value for name, value in data.items()}
    for flag in ("notify_email", "notify_sms", "notify_panel", "is_active"):
        data[flag] = "on"
    data.update({"role": "supervisor", "mobile": "+98 912 000 7766", "expires_at_0": "", "expires_at_1": ""})
    response = manager_client.post(f"{EMPLOYEES}{agent.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    agent.refresh_from_db()
    assert (agent.role, agent.is_staff, agent.mobile) == ("supervisor", True, "09120007766")
    assert list(agent.groups.values_list("name", flat=True)) == ["Supervisor"]


# --- search and filters ------------------------------------------------------------------------------------------


@pytest.fixture
def people(organisation):
    now = timezone.now()
    return {
        "maryam": CustomerFactory(
            full_name="مریم احمدی",
            email="maryam@example.com",
            mobile="09121234567",
            national_id="0013542419",
            organisation=organisation,
        ),
        "ali": CustomerFactory(full_name="علی رضایی", email="ali@example.com", mobile="09351112233"),
        "suspended": CustomerFactory(full_name="تعلیقی", suspended_at=now, suspension_reason="x"),
        "expired": CustomerFactory(full_name="منقضی", expires_at=now - dt.timedelta(days=1)),
        "inactive": CustomerFactory(full_name="غیرفعال", is_active=False),
        "agent": AgentFactory(full_name="کارشناس", email="agent@example.com"),
    }


@pytest.mark.parametrize(
    "term, expected",
    [
        ("مریم", ["maryam"]),
        ("ALI@example", ["ali"]),
        ("0935111", ["ali"]),
        ("۰۹۳۵۱۱۱۲۲۳۳", ["ali"]),
        ("+98 935 111 2233", ["ali"]),
        ("9121234567", ["maryam"]),
        ("۰۰۱۳۵۴۲۴۱۹", ["maryam"]),
        ("کارشناس", []),  # employees are not on the customers page
    ],
)
def test_customer_search(manager_client, people, term, expected):
    response = manager_client.get(CUSTOMERS, {"q": term})
    assert response.status_code == 200
    assert changelist_ids(response) == sorted(people[name].pk for name in expected)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"suspended": "yes"}, ["suspended"]),
        ({"expired": "yes"}, ["expired"]),
        ({"is_active__exact": "0"}, ["inactive"]),
        ({"suspended": "no", "expired": "no", "is_active__exact": "1"}, ["maryam", "ali"]),
    ],
)
def test_customer_filters(manager_client, people, params, expected):
    response = manager_client.get(CUSTOMERS, params)
    assert changelist_ids(response) == sorted(people[name].pk for name in expected)


def test_customer_organisation_filter(manager_client, people, organisation):
    response = manager_client.get(CUSTOMERS, {"organisation__id__exact": organisation.pk})
    assert changelist_ids(response) == [people["maryam"].pk]


def test_employee_role_filter_and_list(manager_client, people, manager):
    assert changelist_ids(manager_client.get(EMPLOYEES)) == sorted([people["agent"].pk, manager.pk])
    assert changelist_ids(manager_client.get(EMPLOYEES, {"role__exact": "agent"})) == [people["agent"].pk]


# --- actions -----------------------------------------------------------------------------------------------------


def test_suspend_action_asks_for_a_reason_then_suspends(manager_client, people):
    targets = [people["maryam"].pk, people["ali"].pk]
    first = manager_client.post(CUSTOMERS, {"action": "suspend_users", "_selected_action": targets})
    assert first.status_code == 200
    assert "دلیل تعلیق" in first.content.decode()
    assert not User.objects.filter(pk__in=targets, suspended_at__isnull=False).exists()

    blank = manager_client.post(
        CUSTOMERS, {"action": "suspend_users", "_selected_action": targets, "apply": "1", "reason": "  "}
    )
    assert blank.status_code == 200
    assert not User.objects.filter(pk__in=targets, suspended_at__isnull=False).exists()

    done = manager_client.post(
        CUSTOMERS, {"action": "suspend_users", "_selected_action": targets, "apply": "1", "reason": "تسویه نشده"}
    )
    assert done.status_code == 302
    assert list(User.objects.filter(pk__in=targets).values_list("suspension_reason", flat=True)) == [
        "تسویه نشده",
        "تسویه نشده",
    ]


def test_suspended_customer_is_logged_out(manager_client, people, client):
    from django.test import Client

    victim = Client()
    victim.force_login(people["ali"])
    assert victim.get("/accounts/profile/").status_code == 200
    manager_client.post(
        CUSTOMERS, {"action": "suspend_users", "_selected_action": [people["ali"].pk], "apply": "1", "reason": "x"}
    )
    assert victim.get("/accounts/profile/").status_code == 302


def test_reactivate_action(manager_client, people):
    targets = [people["suspended"].pk, people["expired"].pk]
    response = manager_client.post(CUSTOMERS, {"action": "reactivate_users", "_selected_action": targets})
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=targets, suspended_at__isnull=False).exists()
    assert not User.objects.filter(pk__in=targets, expires_at__isnull=False).exists()


# --- organisations -----------------------------------------------------------------------------------------------


def test_organisation_with_a_bad_legal_id_is_refused(manager_client):
    response = manager_client.post(
        ORGANISATIONS + "add/",
        {
            "name": "شرکت بد",
            "national_id": "12345678901",
            "economic_code": "",
            "sharing": "own",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert str(MSG_LEGAL_ID) in response.content.decode()
    assert not Organisation.objects.filter(name="شرکت بد").exists()


def test_organisation_ids_in_persian_digits_are_normalised(manager_client):
    response = manager_client.post(
        ORGANISATIONS + "add/",
        {
            "name": "شرکت  خوب",
            "national_id": "۱۰۱۰۰۰۱۲۳۴۲",
            "economic_code": "۱۰۱۰۰۰۱۲۳۴۲",
            "sharing": "all",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="شرکت خوب")
    assert (organisation.national_id, organisation.economic_code, organisation.sharing) == (
        "10100012342",
        "10100012342",
        "all",
    )


def test_organisation_page_lists_members(manager_client, organisation):
    CustomerFactory(full_name="عضو اول", organisation=organisation)
    CustomerFactory(full_name="عضو دوم", organisation=organisation)
    body = manager_client.get(f"{ORGANISATIONS}{organisation.pk}/change/").content.decode()
    assert "عضو اول" in body and "عضو دوم" in body
    listing = manager_client.get(ORGANISATIONS)
    assert [o._member_count for o in listing.context["cl"].result_list] == [2]


def test_organisation_search_with_persian_digits(manager_client):
    OrganisationFactory(name="الف", national_id="10100012342")
    OrganisationFactory(name="ب")
    response = manager_client.get(ORGANISATIONS, {"q": "۱۰۱۰۰۰۱۲۳۴۲"})
    assert [o.name for o in response.context["cl"].result_list] == ["الف"]


def test_pages_render_for_a_mobile_only_user(client):
    from accounts.tests.factories import AdminFactory

    client.force_login(AdminFactory())
    user = services.customer_create(full_name="فقط موبایل", mobile="09127778899")
    for url in (
        f"{CUSTOMERS}{user.pk}/change/",
        f"{CUSTOMERS}{user.pk}/password/",
        CUSTOMERS + "add/",
        EMPLOYEES + "add/",
        ORGANISATIONS + "add/",
        "/admin/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "09127778899" in client.get(f"{CUSTOMERS}{user.pk}/password/").content.decode()


def test_role_groups_unchanged_by_admin_pages(manager_client):
    before = Group.objects.count()
    manager_client.get(CUSTOMERS)
    assert Group.objects.count() == before

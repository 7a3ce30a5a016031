"""Pinned query counts (#9) of the account pages (the profile is pinned in `test_profile.py`) and of the people
admin, for a manager (in the Manager group, not a superuser: the typical user of these pages)."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services
from accounts.models import Customer, Employee, Organisation, Role
from accounts.tests.factories import CustomerFactory, OrganisationFactory
from helpdesk.tests.pins import AdminPins, Denied, admin_names, admin_pins, pinned_get

pytestmark = pytest.mark.django_db


@pytest.mark.pins(
    "accounts:login", "accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_complete"
)
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("accounts:login", 0),
        ("accounts:password_reset", 0),
        ("accounts:password_reset_done", 0),
        ("accounts:password_reset_complete", 0),
    ],
)
def test_the_pages_of_a_visitor(client, name, queries):
    pinned_get(client, reverse(name), queries)


@pytest.mark.pins("accounts:password_reset_confirm")
def test_the_new_password_form_from_a_reset_link(client, customer):
    uid = urlsafe_base64_encode(force_bytes(customer.pk))
    link = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(customer)])
    form = client.get(link)["Location"]  # the token moves into the session
    assert form == reverse("accounts:password_reset_confirm", args=[uid, "set-password"])
    pinned_get(client, form, 2)


@pytest.mark.pins("accounts:password_change", "accounts:password_change_done")
@pytest.mark.parametrize(("name", "queries"), [("accounts:password_change", 2), ("accounts:password_change_done", 2)])
def test_the_password_change_pages(client, customer, name, queries):
    client.force_login(customer)
    pinned_get(client, reverse(name), queries)


# --- the admin ------------------------------------------------------------------------------------------------

ADMIN = {
    # A manager may not delete people (only deactivate them): the delete pages are refused.
    Customer: AdminPins(changelist=8, add=4, change=6, history=6, delete=Denied(5)),
    # add and change: the departments worked in and supervised, which tickets adds to the employee form
    Employee: AdminPins(changelist=7, add=6, change=9, history=6, delete=Denied(5)),
    Organisation: AdminPins(changelist=7, add=4, change=6, history=6, delete=7),
}


def _people(n: int):
    """`n` organisations, each with a customer, and `n` agents; the last of each."""
    for _ in range(n):
        customer = CustomerFactory(organisation=OrganisationFactory())
        employee = services.employee_create(
            full_name="کارمند", role=Role.AGENT, email=f"e{Employee.objects.count()}@example.com"
        )
    return customer, employee


MAKE = {
    Customer: lambda n: _people(n)[0],
    Employee: lambda n: _people(n)[1],
    Organisation: lambda n: _people(n)[0].organisation,
}


@pytest.mark.pins(*admin_names(ADMIN))
@pytest.mark.parametrize("model", ADMIN, ids=lambda m: m.__name__)
def test_the_admin_pages(manager_client, model):
    admin_pins(manager_client, model, ADMIN[model], MAKE[model])


@pytest.mark.pins("admin:accounts_organisation_change")
@pytest.mark.parametrize("members", [1, 30])
def test_an_organisation_page_with_1_and_30_members(manager_client, members):
    organisation = OrganisationFactory()
    CustomerFactory.create_batch(members, organisation=organisation)
    url = reverse("admin:accounts_organisation_change", args=[organisation.pk])
    pinned_get(manager_client, url, 6)


@pytest.mark.pins("admin:auth_user_password_change")
def test_the_admin_password_form_of_a_customer(manager_client, customer):
    """The customer and the employee admin both name their password page so; `reverse` finds the employee's."""
    url = reverse("admin:accounts_customer_change", args=[customer.pk]).replace("/change/", "/password/")
    pinned_get(manager_client, url, 5)


@pytest.mark.pins("admin:autocomplete")
@pytest.mark.parametrize("organisations", [1, 30])
def test_the_organisation_autocomplete_of_the_customer_form(manager_client, organisations):
    OrganisationFactory.create_batch(organisations)
    url = reverse("admin:autocomplete") + "?app_label=accounts&model_name=customer&field_name=organisation&term=شرکت"
    response = pinned_get(manager_client, url, 6)
    assert len(response.json()["results"]) == min(organisations, 20)  # the admin's autocomplete page size

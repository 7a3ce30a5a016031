import pytest
import time_machine
from bs4 import BeautifulSoup
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import CustomerFactory, OrganisationFactory
from helpdesk.tests.pins import pinned_get
from limits import services
from limits.models import IncreaseRequest, State
from limits.periods import Period

from .conftest import signed_form, tehran
from .factories import TaxpayerFactory

pytestmark = pytest.mark.django_db

Q2 = Period(1404, 2)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(tehran(1404, 5, 10), tick=False) as traveller:
        yield traveller


def page_text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def filed(taxpayer, seller, amount=1_000_000):
    return services.increase_request_file(
        taxpayer=taxpayer, period=Q2, amount=amount, signed_form=signed_form(), filed_by=seller
    )


def test_index_routes_by_audience(client, seller, officer):
    assert client.get("/limits/").url == reverse("limits:calculator")
    client.force_login(officer)
    assert client.get("/limits/").url == reverse("limits:request_list")
    client.force_login(seller)
    assert client.get("/limits/").status_code == 200


def test_my_taxpayers_shows_current_ceiling_and_progress(client, taxpayer, seller):
    services.usage_record(taxpayer=taxpayer, period=Q2, amount=2_500_000_000)
    other = TaxpayerFactory()  # someone else's
    client.force_login(seller)
    response = client.get(reverse("limits:taxpayer_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert taxpayer.name in html and other.name not in html
    soup = BeautifulSoup(html, "html.parser")
    bar = soup.select_one("progress.limits-usage")
    assert bar["value"] == "25" and bar["max"] == "100"
    assert bar.get_text() == "۲۵٪"  # one percent sign, the Persian one
    assert 'style="' not in html and "<script>" not in html
    assert "۷٬۵۰۰٬۰۰۰٬۰۰۰" in page_text(response)  # remaining


def test_taxpayer_without_ceiling_yet(client, taxpayer, seller):
    client.force_login(seller)
    response = client.get(reverse("limits:taxpayer_detail", args=[taxpayer.pk]))
    assert response.status_code == 200
    assert response.context["current_ceiling"] is None


@pytest.mark.pins("limits:taxpayer_list")
@pytest.mark.parametrize("count", [1, 30])
def test_my_taxpayers_query_count_is_flat(client, seller, count):
    for taxpayer in TaxpayerFactory.create_batch(count, owner_user=seller):
        services.ceiling_compute(taxpayer=taxpayer, period=Q2)
    client.force_login(seller)
    response = pinned_get(client, reverse("limits:taxpayer_list"), 5)
    assert len(response.context["page_obj"]) == min(count, 25)


def test_taxpayer_detail_hidden_from_others(client, taxpayer):
    for user in (CustomerFactory(), CustomerFactory(organisation=OrganisationFactory())):
        client.force_login(user)
        assert client.get(reverse("limits:taxpayer_detail", args=[taxpayer.pk])).status_code == 404
        assert client.get(reverse("limits:request_create", args=[taxpayer.pk])).status_code == 404


def test_buyer_cannot_see_a_sellers_request(client, taxpayer, seller):
    increase = filed(taxpayer, seller)
    buyer = CustomerFactory()
    client.force_login(buyer)
    assert client.get(reverse("limits:request_detail", args=[increase.pk])).status_code == 404
    response = client.post(reverse("limits:request_action", args=[increase.pk, "withdraw"]))
    assert response.status_code == 404
    assert IncreaseRequest.objects.get(pk=increase.pk).state == State.SUBMITTED


def test_plain_organisation_member_cannot_see_or_file(client):
    org = OrganisationFactory()
    boss = CustomerFactory(organisation=org, organisation_role=User.OrganisationRole.MANAGER)
    clerk = CustomerFactory(organisation=org)
    company = TaxpayerFactory(owner_user=None, owner_organisation=org)
    increase = filed(company, boss)
    client.force_login(clerk)
    assert client.get(reverse("limits:taxpayer_detail", args=[company.pk])).status_code == 404
    assert client.get(reverse("limits:request_detail", args=[increase.pk])).status_code == 404
    client.force_login(boss)
    assert client.get(reverse("limits:request_detail", args=[increase.pk])).status_code == 200


def test_request_form_get_has_vat_hooks_and_no_inline_js(client, taxpayer, seller):
    client.force_login(seller)
    response = client.get(reverse("limits:request_create", args=[taxpayer.pk]))
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form[data-limits-vat-form]")
    assert form["data-vat-url"] == reverse("limits:api_vat")
    assert soup.select_one("input[data-limits-vat-amount]")
    assert soup.select_one("script[src$='js/limits.js']")
    assert all(s.get("src") for s in soup.find_all("script"))
    assert [o["value"] for o in soup.select("select[name=period] option")] == ["1404-2", "1404-3"]


def test_file_a_request_through_the_form(client, taxpayer, seller):
    client.force_login(seller)
    response = client.post(
        reverse("limits:request_create", args=[taxpayer.pk]),
        {"period": "1404-2", "amount": "۲٬۰۰۰٬۰۰۰٬۰۰۰", "signed_form": signed_form(), "description": "قرارداد"},
    )
    increase = IncreaseRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("limits:request_detail", args=[increase.pk])
    assert (increase.amount, increase.vat) == (2_000_000_000, 200_000_000)
    detail = client.get(response.url)
    assert detail.status_code == 200
    assert [a["name"] for a in detail.context["actions"]] == ["withdraw"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period": "1404-2", "amount": "abc"}, "amount"),
        ({"period": "1404-2", "amount": "0"}, "amount"),
        ({"period": "1404-1", "amount": "5"}, "period"),  # not offered: a past period
        ({"period": "1404-2", "amount": "5", "no_file": True}, "signed_form"),
    ],
)
def test_request_form_errors(client, taxpayer, seller, data, field):
    client.force_login(seller)
    payload = {"period": data["period"], "amount": data["amount"]}
    if not data.get("no_file"):
        payload["signed_form"] = signed_form()
    response = client.post(reverse("limits:request_create", args=[taxpayer.pk]), payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not IncreaseRequest.objects.exists()


def test_disguised_upload_refused_with_message(client, taxpayer, seller):
    client.force_login(seller)
    response = client.post(
        reverse("limits:request_create", args=[taxpayer.pk]),
        {"period": "1404-2", "amount": "5", "signed_form": signed_form("form.pdf", b"<html><script>x</script>")},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["signed_form"]
    assert not IncreaseRequest.objects.exists()


def test_form_at_2359_accepted_at_0000_refused(client, taxpayer, seller, clock):
    clock.move_to(tehran(1404, 6, 31, 23, 59))
    client.force_login(seller)
    page = client.get(reverse("limits:request_create", args=[taxpayer.pk]))
    assert page.status_code == 200
    accepted = client.post(
        reverse("limits:request_create", args=[taxpayer.pk]),
        {"period": "1404-2", "amount": "5", "signed_form": signed_form()},
    )
    assert accepted.status_code == 302
    clock.move_to(tehran(1404, 7, 1, 0, 0))
    response = client.post(
        reverse("limits:request_create", args=[taxpayer.pk]),
        {"period": "1404-2", "amount": "5", "signed_form": signed_form()},
    )
    # 1404-2 is no longer offered once Q3 has started: the form refuses it, nothing is filed
    assert response.status_code == 400
    assert IncreaseRequest.objects.count() == 1


def test_withdraw(client, taxpayer, seller):
    increase = filed(taxpayer, seller)
    client.force_login(seller)
    response = client.post(reverse("limits:request_action", args=[increase.pk, "withdraw"]))
    assert response.status_code == 302
    assert IncreaseRequest.objects.get(pk=increase.pk).state == State.WITHDRAWN


def test_seller_cannot_take_staff_actions(client, taxpayer, seller):
    increase = filed(taxpayer, seller)
    client.force_login(seller)
    assert client.post(reverse("limits:request_action", args=[increase.pk, "review"])).status_code == 404
    assert client.post(reverse("limits:request_action", args=[increase.pk, "nonsense"])).status_code == 404
    assert client.get(reverse("limits:request_action", args=[increase.pk, "review"])).status_code == 405


def test_request_detail_shows_steps_in_persian(client, taxpayer, seller, officer):
    increase = filed(taxpayer, seller, amount=1_000_000_000)
    services.increase_request_review(request=increase, actor=officer)
    client.force_login(seller)
    response = client.get(reverse("limits:request_detail", args=[increase.pk]))
    assert len(response.context["timeline"]) == 2
    text = page_text(response)
    assert "۱۰۰٬۰۰۰٬۰۰۰" in text  # the VAT
    assert "(۱۰٪)" in text and "%" not in text  # the rate: no exponent, the Persian percent sign (#13)
    assert "۵۲ روز مانده" in text  # 1404/05/10 → 06/31


def test_year_without_parameters_is_explained_on_customer_pages_not_a_500(client, taxpayer, seller, clock):
    """1405 has no parameters (docs/article6.md): the pages name the year instead of "not computed yet" or a 500."""
    clock.move_to(tehran(1405, 8, 2))
    client.force_login(seller)
    for url in (reverse("limits:taxpayer_list"), reverse("limits:taxpayer_detail", args=[taxpayer.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "۱۴۰۵" in page_text(response)
        assert response.context["missing_parameters"]
        assert "has not been computed" not in page_text(response)
    response = client.post(
        reverse("limits:request_create", args=[taxpayer.pk]),
        {"period": "1405-3", "amount": "۱۰۰٬۰۰۰", "signed_form": signed_form()},
    )
    assert response.status_code == 400
    assert "۱۴۰۵" in page_text(response)
    assert not IncreaseRequest.objects.exists()


def test_year_with_parameters_says_not_computed_yet(client, taxpayer, seller):
    client.force_login(seller)
    response = client.get(reverse("limits:taxpayer_detail", args=[taxpayer.pk]))
    assert response.context["missing_parameters"] is None


def test_generic_ticket_form_does_not_offer_the_article6_type(client, seller, taxpayer):
    """The increase request needs its period, amount and signed form: the generic portal form neither lists nor
    accepts its ticket type, while the limits form still files tickets of that type."""
    from tickets.models import Ticket

    ticket_type = services.article6_ticket_type()
    client.force_login(seller)
    page = client.get(reverse("tickets:create"))
    assert page.status_code == 200
    assert ticket_type not in page.context["form"].fields["type"].queryset
    assert str(ticket_type.pk) not in [
        o["value"] for o in BeautifulSoup(page.content, "html.parser").select("select[name=type] option")
    ]
    response = client.post(
        reverse("tickets:create"),
        {
            "department": ticket_type.default_department.pk,
            "type": ticket_type.pk,
            "subject": "افزایش حد مجاز",
            "body": "لطفاً حد مجاز را افزایش دهید.",
            "attachments": signed_form(),
        },
    )
    assert response.status_code in (200, 400)
    assert "type" in response.context["form"].errors
    assert not Ticket.objects.exists()
    assert filed(taxpayer, seller).ticket.type == ticket_type

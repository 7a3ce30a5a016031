import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import AgentFactory, CustomerFactory
from helpdesk.tests.pins import pinned_get
from limits import services
from limits.models import Ceiling, IncreaseRequest, PriorPeriodFigures, State, Usage
from limits.periods import Period

from .conftest import signed_form, tehran
from .factories import FiguresFactory, TaxpayerFactory

pytestmark = pytest.mark.django_db

Q2 = Period(1404, 2)
LIST = "/limits/requests/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(tehran(1404, 6, 20), tick=False) as traveller:
        yield traveller


def filed(taxpayer=None, amount=1_000, period=Q2):
    taxpayer = taxpayer or TaxpayerFactory()
    return services.increase_request_file(
        taxpayer=taxpayer, period=period, amount=amount, signed_form=signed_form(), filed_by=taxpayer.owner_user
    )


def test_list_is_staff_only(client, officer):
    filed()
    client.force_login(CustomerFactory())
    assert client.get(LIST).status_code == 404
    client.force_login(officer)
    assert client.get(LIST).status_code == 200


def test_agent_outside_the_department_sees_no_requests(client):
    filed()
    client.force_login(AgentFactory())
    assert list(client.get(LIST).context["page_obj"]) == []


def test_list_shows_days_left_and_state(client, officer):
    increase = filed()
    client.force_login(officer)
    response = client.get(LIST)
    [row] = list(response.context["page_obj"])
    assert row.pk == increase.pk and row.days_left == 11  # 1404/06/20 → 06/31
    html = response.content.decode()
    assert "#" + increase.ticket.reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in html


def test_list_filters_and_sorts(client, officer, clock):
    a = filed(amount=5)
    b = filed(amount=50)
    c = filed(amount=500, period=Period(1404, 3))
    services.increase_request_review(request=b, actor=officer)
    client.force_login(officer)

    def pks(**params):
        return [r.pk for r in client.get(LIST, params).context["page_obj"]]

    assert pks(state="under_review") == [b.pk]
    assert set(pks(state=["submitted"])) == {a.pk, c.pk}
    assert pks(quarter="3") == [c.pk]
    assert pks(sort="-amount") == [c.pk, b.pk, a.pk]
    assert pks(sort="-days_left")[0] == c.pk
    assert pks(sort="days_left")[-1] == c.pk
    assert pks(q=a.taxpayer.economic_code) == [a.pk]
    assert pks(q=a.taxpayer.name) == [a.pk]
    services.increase_request_withdraw(request=a, actor=a.taxpayer.owner_user)
    assert set(pks(open="true")) == {b.pk, c.pk}


def test_list_paginates_with_site_setting(client, officer):
    from helpdesk.site import clear_site_settings_cache, get_site_settings

    site = get_site_settings()
    site.records_per_page = 5
    site.save()
    clear_site_settings_cache()
    for _ in range(7):
        filed()
    client.force_login(officer)
    response = client.get(LIST)
    assert len(response.context["page_obj"]) == 5
    assert len(client.get(LIST, {"page": 2}).context["page_obj"]) == 2


@pytest.mark.pins("limits:request_list")
def test_list_query_count_is_flat(client, officer):
    client.force_login(officer)
    filed()
    pinned_get(client, LIST, 5)
    for _ in range(29):
        filed()
    pinned_get(client, LIST, 5)


@pytest.mark.pins("limits:request_detail")
def test_detail_query_count_is_flat(client, officer):
    increase = filed()
    client.force_login(officer)
    url = reverse("limits:request_detail", args=[increase.pk])
    pinned_get(client, url, 6)
    services.increase_request_review(request=increase, actor=officer)
    services.increase_request_require_prior_debt(request=increase, actor=officer, note="x")
    services.increase_request_review(request=increase, actor=officer)
    pinned_get(client, url, 6)


@pytest.mark.pins("limits:taxpayer_list", "limits:taxpayer_detail")
def test_taxpayer_pages_query_counts_are_flat(client, officer):
    taxpayer = TaxpayerFactory()
    client.force_login(officer)
    list_url = reverse("limits:taxpayer_list")
    detail_url = reverse("limits:taxpayer_detail", args=[taxpayer.pk])
    services.ceiling_compute(taxpayer=taxpayer, period=Q2)
    filed(taxpayer)
    pinned_get(client, list_url, 6)
    pinned_get(client, detail_url, 7)
    for i in range(29):
        other = TaxpayerFactory()
        services.ceiling_compute(taxpayer=other, period=Q2)
        filed(taxpayer)
        FiguresFactory(taxpayer=taxpayer, year=1380 + i)
        if i < 4:
            services.ceiling_compute(taxpayer=taxpayer, period=Period(1403, 1 + i))
    pinned_get(client, list_url, 6)
    pinned_get(client, detail_url, 7)


def step(client, increase, action, data=None):
    return client.post(reverse("limits:request_action", args=[increase.pk, action]), data or {})


def test_staff_walk_through_every_step(client, officer):
    increase = filed(amount=2_000_000_000)
    client.force_login(officer)
    detail = client.get(reverse("limits:request_detail", args=[increase.pk]))
    assert [a["name"] for a in detail.context["actions"]] == ["review", "reject"]
    assert step(client, increase, "review").status_code == 302
    assert step(client, increase, "prior_debt", {"prior_debt-note": "بدهی تابستان ۱۴۰۳"}).status_code == 302
    assert step(client, increase, "review").status_code == 302
    response = step(client, increase, "settlement", {"settlement-method": "payment"})
    assert response.status_code == 400  # the payment ID is missing
    settlement = next(a["form"] for a in response.context["actions"] if a["name"] == "settlement")
    assert {field: [e.code for e in errors] for field, errors in settlement.errors.as_data().items()} == {
        "payment_id": ["required"]
    }
    step(client, increase, "settlement", {"settlement-method": "guarantee"})
    detail = client.get(reverse("limits:request_detail", args=[increase.pk]))
    settle_form = next(a["form"] for a in detail.context["actions"] if a["name"] == "settle")
    assert set(settle_form.fields) == {"guarantee_type", "guarantee_amount", "guarantee_issuer", "guarantee_expiry"}
    response = step(
        client,
        increase,
        "settle",
        {
            "settle-guarantee_type": "bank_guarantee",
            "settle-guarantee_amount": "۱۰۰٬۰۰۰٬۰۰۰",  # below the VAT of 200,000,000
            "settle-guarantee_issuer": "بانک ملت",
            "settle-guarantee_expiry": "۱۴۰۵/۰۱/۱۵",
        },
    )
    assert response.status_code == 400
    settle_form = next(a["form"] for a in response.context["actions"] if a["name"] == "settle")
    assert "guarantee_amount" in settle_form.errors
    assert IncreaseRequest.objects.get(pk=increase.pk).state == State.AWAITING_SETTLEMENT
    response = step(
        client,
        increase,
        "settle",
        {
            "settle-guarantee_type": "bank_guarantee",
            "settle-guarantee_amount": "200,000,000",
            "settle-guarantee_issuer": "بانک ملت",
            "settle-guarantee_expiry": "1405/01/15",
        },
    )
    assert response.status_code == 302
    response = step(
        client,
        increase,
        "announce",
        {
            "announce-letter_number": "۴۵۶/د",
            "announce-letter_date": "1404/06/19",
            "announce-announced_amount": "2000000000",
        },
    )
    assert response.status_code == 302
    assert step(client, increase, "apply").status_code == 302
    increase.refresh_from_db()
    assert increase.state == State.APPLIED
    assert increase.guarantee_expiry.isoformat() == "2026-04-04"  # 1405/01/15
    ceiling = Ceiling.objects.get(taxpayer=increase.taxpayer, year=1404, quarter=2)
    assert ceiling.increases == 2_000_000_000


def test_action_not_allowed_in_this_state_is_404(client, officer):
    increase = filed()
    client.force_login(officer)
    assert step(client, increase, "apply").status_code == 404
    assert step(client, increase, "withdraw").status_code == 404  # staff are not the seller


def test_no_actions_after_the_period(client, officer, clock):
    increase = filed()
    clock.move_to(tehran(1404, 7, 1, 0, 0))
    client.force_login(officer)
    assert client.get(reverse("limits:request_detail", args=[increase.pk])).context["actions"] == []
    assert step(client, increase, "review").status_code == 404


def test_recompute_and_usage(client, officer):
    taxpayer = TaxpayerFactory()
    client.force_login(officer)
    url = reverse("limits:recompute", args=[taxpayer.pk])
    assert client.post(url).status_code == 302
    assert Ceiling.objects.get(taxpayer=taxpayer).initial == 10_000_000_000
    FiguresFactory(taxpayer=taxpayer, year=1403, quarter=2, sales=4_000_000_000, vat_due=1, vat_paid=1)
    client.post(url)
    assert Ceiling.objects.get(taxpayer=taxpayer).initial == 20_000_000_000
    usage_url = reverse("limits:usage_add", args=[taxpayer.pk])
    assert client.post(usage_url, {"period": "1404-2", "amount": "۱٬۰۰۰", "reference": "R1"}).status_code == 302
    response = client.post(usage_url, {"period": "1404-2", "amount": "10", "reference": "R1"})
    assert response.status_code == 400 and "reference" in response.context["usage_form"].errors
    response = client.post(usage_url, {"period": "1404-2", "amount": "-3"})
    assert response.status_code == 400 and "amount" in response.context["usage_form"].errors
    assert Usage.objects.count() == 1


def test_customers_cannot_use_staff_tools(client, taxpayer, seller):
    client.force_login(seller)
    assert client.post(reverse("limits:recompute", args=[taxpayer.pk])).status_code == 404
    assert client.post(reverse("limits:usage_add", args=[taxpayer.pk]), {"amount": "1"}).status_code == 404
    assert client.get(reverse("limits:import")).status_code == 404


def test_import_page(client, officer):
    TaxpayerFactory(economic_code="41000000000077")
    client.force_login(officer)
    good = SimpleUploadedFile(
        "f.csv", b"economic_code,year,quarter,sales,vat_due,vat_paid\n41000000000077,1403,2,1,1,1\n", "text/csv"
    )
    response = client.post(reverse("limits:import"), {"kind": "figures", "file": good})
    assert response.status_code == 302 and PriorPeriodFigures.objects.count() == 1
    bad = SimpleUploadedFile(
        "f.csv", b"economic_code,year,quarter,sales,vat_due,vat_paid\n41000000000077,1403,9,x,1,1\n", "text/csv"
    )
    response = client.post(reverse("limits:import"), {"kind": "figures", "file": bad})
    assert response.status_code == 400
    assert len(response.context["report"].errors) == 2
    assert "quarter" in response.content.decode()
    assert PriorPeriodFigures.objects.get().quarter == 2


def test_admin_pages_render(client):
    from accounts.tests.factories import AdminFactory

    taxpayer = TaxpayerFactory()
    filed(taxpayer)
    client.force_login(AdminFactory())
    for name in ("taxpayer", "yearparameters", "priorperiodfigures", "ceiling", "usage", "increaserequest"):
        assert client.get(reverse(f"admin:limits_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:limits_taxpayer_change", args=[taxpayer.pk])).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "year=abc",
        "year=۱۴۰۴",
        "year=99999999999999999999",
        "quarter=9",
        "quarter=٢",
        "state=bogus",
        "sort=bogus",
        "sort=-days_left",
        "page=abc",
        "page=99999",
        "open=maybe",
        "q=%00",
        "q=۴۱۱",
    ],
)
def test_list_survives_weird_filters(client, officer, query):
    filed()
    client.force_login(officer)
    assert client.get(f"{LIST}?{query}").status_code in (200, 400)


@pytest.mark.parametrize(
    "data",
    [
        {"announce-letter_number": "", "announce-letter_date": "1404/06/19", "announce-announced_amount": "1000"},
        {"announce-letter_number": "۱/د", "announce-letter_date": "1404/13/40", "announce-announced_amount": "1000"},
        {"announce-letter_number": "۱/د", "announce-letter_date": "not a date", "announce-announced_amount": "1e5"},
        {"announce-letter_number": "۱/د", "announce-letter_date": "1404/06/19", "announce-announced_amount": "-5"},
        {"announce-letter_number": "۱/د", "announce-letter_date": "1404/06/19", "announce-announced_amount": "9" * 60},
        {"announce-letter_number": "۱/د", "announce-letter_date": "1404/06/19", "announce-announced_amount": ""},
    ],
)
def test_announce_bad_input_is_a_400_and_changes_nothing(client, officer, data):
    increase = filed(amount=1_000)
    increase_id = increase.pk
    client.force_login(officer)
    assert step(client, increase, "review").status_code == 302
    settlement = {"settlement-method": "payment", "settlement-payment_id": "123"}
    assert step(client, increase, "settlement", settlement).status_code == 302
    assert step(client, increase, "settle", {"settle-payment_reference": "987654"}).status_code == 302
    increase.refresh_from_db()
    assert increase.state == State.SETTLED, "the walk to 'settled' changed; fix the setup"
    response = step(client, increase, "announce", data)
    assert response.status_code == 400
    assert IncreaseRequest.objects.get(pk=increase_id).state == State.SETTLED


def test_reject_without_reason_and_unknown_action(client, officer):
    increase = filed()
    client.force_login(officer)
    response = step(client, increase, "reject", {"reject-reason": "   "})
    assert response.status_code == 400
    assert IncreaseRequest.objects.get(pk=increase.pk).state == State.SUBMITTED
    assert step(client, increase, "no-such-action").status_code == 404

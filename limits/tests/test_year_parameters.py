"""Article 6 for a year nobody has entered yet (issue #11.2): demo samples, the staff and admin banners, the
customer's plain message, and the ceilings computed as soon as an admin saves the year's figures."""

from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import demo as accounts_demo
from accounts.tests.factories import AdminFactory, CustomerFactory
from helpdesk import services as site_services
from helpdesk.tests.errors import error_codes
from limits import demo, services
from limits.models import Ceiling, IncreaseRequest, YearParameters
from limits.periods import Period

from .conftest import signed_form, tehran
from .factories import TaxpayerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/limits/yearparameters/"
IN_1405 = (1405, 2, 10)  # 1405 Q1: only 1400–1404 are seeded
IN_1404_Q2 = (1404, 5, 10)  # 1404 Q2, next period 1404 Q3: nothing missing
IN_1404_Q4 = (1404, 11, 10)  # 1404 Q4, next period 1405 Q1: next year missing
ASK_OFFICE = "پارامترهای سال ۱۴۰۵ هنوز ثبت نشده است؛ با دفتر تماس بگیرید."


@pytest.fixture
def clock():
    with time_machine.travel(tehran(*IN_1405), tick=False) as traveller:
        yield traveller


def text_of(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def banner(response):
    return BeautifulSoup(response.content, "html.parser").select_one("[data-years-banner]")


def admin_notices(response):
    return BeautifulSoup(response.content, "html.parser").select("[data-admin-notices] li")


def pinned(client, url) -> int:
    client.get(url)  # warm caches (site settings, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- demo samples ---------------------------------------------------------------------------------------------


def test_demo_loads_samples_for_the_current_and_the_next_year_once(clock):
    accounts_demo.load()
    demo.load()
    rows = {p.year: p for p in YearParameters.objects.filter(year__gte=1405)}
    assert set(rows) == {1405, 1406}
    for params in rows.values():
        assert (params.exemption, params.vat_rate) == (demo.SAMPLE_EXEMPTION, Decimal("10"))
        assert params.exemption_source == params.vat_rate_source == demo.SAMPLE_SOURCE
        assert "نمونه" in params.exemption_source and "جایگزین" in params.exemption_source
    # so the current period works at once on a fresh install: the demo taxpayer has its 1405 Q1 ceiling
    assert Ceiling.objects.filter(year=1405, quarter=1).exists()
    before = list(YearParameters.objects.order_by("year").values())
    demo.load()
    assert list(YearParameters.objects.order_by("year").values()) == before


def test_demo_years_follow_today_not_a_fixed_year():
    with time_machine.travel(tehran(1409, 7, 1), tick=False):
        demo.load()
    assert set(YearParameters.objects.filter(year__gte=1405).values_list("year", flat=True)) == {1409, 1410}


def test_demo_never_overwrites_an_entered_figure(clock):
    YearParameters.objects.create(year=1405, exemption=2_500_000_000, exemption_source="قانون بودجه ۱۴۰۵")
    YearParameters.objects.filter(year=1404).update(vat_rate=Decimal("11"))  # an admin's correction of 1404
    demo.load()
    params = YearParameters.objects.get(year=1405)
    assert (params.exemption, params.exemption_source) == (2_500_000_000, "قانون بودجه ۱۴۰۵")
    assert (params.vat_rate, params.vat_rate_source) == (Decimal("10"), demo.SAMPLE_SOURCE)  # only the empty one
    assert YearParameters.objects.get(year=1404).vat_rate == Decimal("11")


def test_demo_samples_are_debug_only(settings, clock):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not YearParameters.objects.filter(year__gte=1405).exists()


def test_load_demo_command_under_debug_adds_the_samples(settings, clock, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    assert set(YearParameters.objects.filter(year__gte=1405).values_list("year", flat=True)) == {1405, 1406}


# --- banners: staff Article 6 pages and the admin index -------------------------------------------------------


def staff_pages(officer):
    taxpayer = TaxpayerFactory()
    YearParameters.objects.get_or_create(year=1405)  # the request is filed while 1405 has a rate, then it's gone
    YearParameters.objects.filter(year=1405).update(vat_rate=Decimal("10"))
    increase = services.increase_request_file(
        taxpayer=taxpayer,
        period=Period.current(),
        amount=1_000,
        signed_form=signed_form(),
        filed_by=taxpayer.owner_user,
    )
    YearParameters.objects.filter(year=1405).update(vat_rate=None)
    return [
        reverse("limits:request_list"),
        reverse("limits:taxpayer_list"),
        reverse("limits:taxpayer_detail", args=[taxpayer.pk]),
        reverse("limits:request_detail", args=[increase.pk]),
        reverse("limits:import"),
    ]


def test_staff_pages_show_the_banner_with_a_link_for_admins(client, clock, officer):
    urls = staff_pages(officer)
    admin = AdminFactory()
    article6 = services.article6_ticket_type().default_department
    article6.members.add(admin)
    client.force_login(admin)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        found = banner(response)
        assert found is not None, url
        assert "۱۴۰۵" in found.get_text() and "ماده ۶" in found.get_text()
        link = found.select_one("a")
        assert link["href"] == CHANGELIST and link.get_text(strip=True) == "پارامترهای سال"


def test_agents_see_the_banner_without_the_admin_link(client, clock, officer):
    urls = staff_pages(officer)
    client.force_login(officer)
    for url in urls:
        found = banner(client.get(url))
        assert found is not None, url
        assert found.select_one("a") is None
        assert "از مدیر سامانه بخواهید" in found.get_text()


def test_no_banner_when_the_current_and_next_years_are_complete(client, officer):
    with time_machine.travel(tehran(*IN_1404_Q2), tick=False):
        client.force_login(officer)
        for url in (reverse("limits:request_list"), reverse("limits:taxpayer_list"), reverse("limits:import")):
            assert banner(client.get(url)) is None


def test_banner_names_the_next_periods_year_in_the_last_season(client, officer):
    with time_machine.travel(tehran(*IN_1404_Q4), tick=False):
        client.force_login(officer)
        found = banner(client.get(reverse("limits:request_list")))
    assert found is not None and "۱۴۰۵" in found.get_text() and "۱۴۰۴" not in found.get_text()


def test_a_year_with_only_one_figure_is_still_missing(client, clock, officer):
    YearParameters.objects.create(year=1405, exemption=2_000_000_000)  # r missing
    client.force_login(officer)
    assert banner(client.get(reverse("limits:request_list"))) is not None
    YearParameters.objects.filter(year=1405).update(vat_rate=Decimal("10"))
    assert banner(client.get(reverse("limits:request_list"))) is None


def test_customers_never_see_the_staff_banner(client, clock, taxpayer, seller):
    client.force_login(seller)
    for url in (reverse("limits:taxpayer_list"), reverse("limits:taxpayer_detail", args=[taxpayer.pk])):
        assert banner(client.get(url)) is None


def test_admin_index_notice_present_and_absent(client, clock):
    client.force_login(AdminFactory())
    [notice] = admin_notices(client.get("/admin/"))
    assert "۱۴۰۵" in notice.get_text()
    assert notice.select_one("a")["href"] == CHANGELIST
    YearParameters.objects.create(year=1405, exemption=2_000_000_000, vat_rate=Decimal("10"))
    assert admin_notices(client.get("/admin/")) == []


def test_admin_index_notice_for_an_admin_site_user_without_the_permission(client, clock):
    from accounts.models import Role
    from accounts.services import user_set_role
    from accounts.tests.factories import SupervisorFactory

    supervisor = SupervisorFactory()
    user_set_role(user=supervisor, role=Role.SUPERVISOR)  # admin-site access, no limits permissions
    client.force_login(supervisor)
    [notice] = admin_notices(client.get("/admin/"))
    assert notice.select_one("a") is None and "از مدیر سامانه بخواهید" in notice.get_text()


# --- the customer's page and form -----------------------------------------------------------------------------


def test_customer_page_says_plainly_what_is_missing_and_whom_to_contact(
    client, clock, taxpayer, seller, django_capture_on_commit_callbacks
):
    client.force_login(seller)
    for url in (reverse("limits:taxpayer_list"), reverse("limits:taxpayer_detail", args=[taxpayer.pk])):
        response = client.get(url)
        text = text_of(response)
        assert ASK_OFFICE in text, url
        assert "پیکربندی" not in text and "معافیت" not in text  # not the staff's technical message
        assert "حد مجاز این دوره هنوز محاسبه نشده است" not in text
    with django_capture_on_commit_callbacks(execute=True):  # the settings cache is cleared after commit
        site_services.site_settings_update(office_contact="۰۲۱-۸۸۸۸۱۲۳۴ (شنبه تا چهارشنبه)")
    text = text_of(client.get(reverse("limits:taxpayer_detail", args=[taxpayer.pk])))
    assert "۰۲۱-۸۸۸۸۱۲۳۴ (شنبه تا چهارشنبه)" in text


def test_office_contact_is_escaped(client, clock, taxpayer, seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        site_services.site_settings_update(office_contact="<script>alert(1)</script>")
    client.force_login(seller)
    html = client.get(reverse("limits:taxpayer_detail", args=[taxpayer.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_increase_form_explains_instead_of_refusing_after_filling_it_in(client, clock, taxpayer, seller):
    client.force_login(seller)
    url = reverse("limits:request_create", args=[taxpayer.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"] is None and ASK_OFFICE in text_of(response)
    assert not BeautifulSoup(response.content, "html.parser").select("form[data-limits-vat-form]")
    response = client.post(url, {"period": "1405-1", "amount": "1000", "signed_form": signed_form()})
    assert response.status_code == 400 and ASK_OFFICE in text_of(response)
    assert not IncreaseRequest.objects.exists()


def test_increase_form_offers_only_the_periods_whose_year_has_a_rate(client, taxpayer, seller):
    with time_machine.travel(tehran(*IN_1404_Q4), tick=False):
        client.force_login(seller)
        response = client.get(reverse("limits:request_create", args=[taxpayer.pk]))
    assert response.status_code == 200
    assert [value for value, _label in response.context["form"].fields["period"].choices] == ["1404-4"]
    assert ASK_OFFICE in text_of(response)


# --- ceilings computed when an admin saves the year's figures -------------------------------------------------


def add_year(client, **data):
    form = {"year": "1405", "exemption": "", "exemption_source": "", "vat_rate": "", "vat_rate_source": ""}
    return client.post(reverse("admin:limits_yearparameters_add"), {**form, **data})


def test_saving_a_years_figures_computes_the_current_periods_ceilings(
    client, clock, django_capture_on_commit_callbacks
):
    taxpayers = TaxpayerFactory.create_batch(2)
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = add_year(client, exemption="۲۰۰۰۰۰۰۰۰۰", exemption_source="قانون بودجه", vat_rate="۱۰")
    assert response.status_code == 302
    assert len(callbacks) == 1
    ceilings = Ceiling.objects.filter(year=1405, quarter=1)
    assert {c.taxpayer_id for c in ceilings} == {t.pk for t in taxpayers}
    assert {c.initial for c in ceilings} == {10_000_000_000}


def test_saving_another_year_computes_nothing_new(client, clock, django_capture_on_commit_callbacks):
    TaxpayerFactory()
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = add_year(client, year="1410", exemption="5", vat_rate="10")
    assert response.status_code == 302
    assert not Ceiling.objects.exists()  # 1405 (the current year) still has no figures


def test_bad_figures_are_refused_with_a_message_and_nothing_saved(client, clock, django_capture_on_commit_callbacks):
    TaxpayerFactory()
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = add_year(client, exemption="-5", vat_rate="150")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() >= {"exemption", "vat_rate"}
    assert callbacks == []
    assert not YearParameters.objects.filter(year=1405).exists() and not Ceiling.objects.exists()


def test_the_service_validates_too(clock):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.year_parameters_save(params=YearParameters(year=1405, vat_rate=Decimal("101")))
    assert error_codes(refused.value) == {"vat_rate": ["max_value"]}
    assert not YearParameters.objects.filter(year=1405).exists()


@pytest.mark.redis
def test_saving_queues_the_ceilings_for_a_real_worker(client, worker):
    from testing.fixtures import wait_for

    with time_machine.travel(tehran(*IN_1405), tick=True):
        taxpayer = TaxpayerFactory()
        client.force_login(AdminFactory())
        assert add_year(client, exemption="2000000000", vat_rate="10").status_code == 302

        def computed():
            """the worker computed the 1405 Q1 ceiling"""
            return Ceiling.objects.filter(taxpayer=taxpayer, year=1405, quarter=1).exists()

        wait_for(computed)


def test_an_unreachable_broker_does_not_lose_the_saved_figures(client, clock, django_capture_on_commit_callbacks):
    from testing.fixtures import celery_broker

    TaxpayerFactory()
    client.force_login(AdminFactory())
    with celery_broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = add_year(client, exemption="2000000000", vat_rate="10")
    assert response.status_code == 302 and len(callbacks) == 1  # the task could not be queued: logged, not raised
    assert YearParameters.objects.get(year=1405).exemption == 2_000_000_000
    assert not Ceiling.objects.exists()  # the 01:00 run is the sweep that computes them


# --- query counts of the pages touched ------------------------------------------------------------------------


@pytest.fixture
def world(officer):
    """Two taxpayers of one seller, each with a request filed in 1404 Q2 (while its figures exist)."""
    seller = CustomerFactory()
    taxpayers = TaxpayerFactory.create_batch(2, owner_user=seller)
    with time_machine.travel(tehran(1404, 5, 1), tick=False):
        requests = [
            services.increase_request_file(
                taxpayer=t, period=Period(1404, 2), amount=1_000, signed_form=signed_form(), filed_by=seller
            )
            for t in taxpayers
        ]
        for t in taxpayers:
            services.ceiling_compute(taxpayer=t, period=Period(1404, 2))
    return {"seller": seller, "officer": officer, "taxpayer": taxpayers[0], "request": requests[0]}


PAGES = {
    # (who, page): (queries when the years are complete, when 1405 is missing). The banner's years are one query on
    # every staff page, banner or not; a customer's missing year costs the lookup that names it. In 1405 the
    # request's period (1404 Q2) has ended: no actions, so no permission check.
    ("officer", "request_list"): (5, 5),
    ("officer", "taxpayer_list"): (6, 7),
    ("officer", "taxpayer_detail"): (7, 8),
    ("officer", "request_detail"): (6, 5),
    ("officer", "import"): (3, 3),
    ("seller", "taxpayer_list"): (5, 6),
    ("seller", "taxpayer_detail"): (6, 7),
    ("seller", "request_create"): (4, 4),
    ("seller", "request_detail"): (5, 4),
}


def page_url(page, world):
    if page in ("taxpayer_detail", "request_create"):
        return reverse(f"limits:{page}", args=[world["taxpayer"].pk])
    if page == "request_detail":
        return reverse("limits:request_detail", args=[world["request"].pk])
    return reverse(f"limits:{page}")


@pytest.mark.parametrize("moment", [0, 1], ids=["complete", "missing"])
@pytest.mark.parametrize("who, page", list(PAGES))
def test_query_counts(client, world, who, page, moment):
    with time_machine.travel(tehran(*(IN_1404_Q2, IN_1405)[moment]), tick=False):
        client.force_login(world[who])
        assert pinned(client, page_url(page, world)) == PAGES[who, page][moment]


@pytest.mark.parametrize("moment", [IN_1404_Q2, IN_1405], ids=["complete", "missing"])
def test_admin_index_query_count(client, moment):
    with time_machine.travel(tehran(*moment), tick=False):
        client.force_login(AdminFactory())
        assert pinned(client, "/admin/") == 6  # the notices' one query included

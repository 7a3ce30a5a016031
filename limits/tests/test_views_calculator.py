import pytest
from bs4 import BeautifulSoup

from helpdesk.tests.pins import pinned_get

pytestmark = pytest.mark.django_db

URL = "/limits/calculator/"


def text(response):
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def test_empty_form_without_login(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert not response.context["form"].is_bound
    assert b"<script>" not in response.content and b'style="' not in response.content


def test_new_unit(client):
    response = client.get(URL, {"year": "۱۴۰۴", "quarter": "2", "new_unit": "on"})
    page = text(response)
    assert "۱۰٬۰۰۰٬۰۰۰٬۰۰۰" in page
    assert response.context["estimate"].result.basis == "exemption_new_unit"
    assert "پنج برابر" in page  # explained in Persian


def test_pro_rata_with_arabic_digits_and_separators(client):
    response = client.get(
        URL,
        {
            "year": "1404",
            "quarter": "3",
            "prior_sales": "١٠،٠٠٠،٠٠٠،٠٠٠",
            "prior_vat": "1,000,000,000",
            "prior_vat_paid": "۵۰۰٬۰۰۰٬۰۰۰",
        },
    )
    estimate = response.context["estimate"]
    assert (estimate.result.ceiling, estimate.result.basis) == (25_000_000_000, "prior_sales_pro_rata")
    page = text(response)
    assert "۲۵٬۰۰۰٬۰۰۰٬۰۰۰" in page
    assert "۱۰٬۰۰۰٬۰۰۰٬۰۰۰ × ۵۰٪ = ۵٬۰۰۰٬۰۰۰٬۰۰۰" in page  # the pro-rata rule, explained with the figures


@pytest.mark.parametrize(
    ("sales", "basis"),
    [("1500000000", "exemption_floor"), ("10000000000", "prior_sales")],
)
def test_floor_and_full(client, sales, basis):
    response = client.get(
        URL, {"year": "1404", "quarter": "1", "prior_sales": sales, "prior_vat": "0", "prior_vat_paid": "0"}
    )
    assert response.context["estimate"].result.basis == basis


def test_bad_amount_gets_a_persian_message(client):
    response = client.get(
        URL, {"year": "1404", "quarter": "1", "prior_sales": "۱۲٫۵", "prior_vat": "0", "prior_vat_paid": "0"}
    )
    assert response.context["estimate"] is None
    assert response.context["form"].errors["prior_sales"]
    assert "is-invalid" in response.content.decode()


def test_year_without_exemption(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = client.get(URL, {"year": "1401", "quarter": "1", "new_unit": "on"})
    assert response.context["estimate"] is None
    assert response.context["form"].errors["year"] == ["معافیت سالانه (ماده ۱۰۱) برای سال ۱۴۰۱ تعریف نشده است."]


@pytest.mark.pins("limits:calculator")
def test_query_count_is_one_lookup(client):
    pinned_get(client, URL + "?year=1404&quarter=1&new_unit=on", 1)  # the year's parameters

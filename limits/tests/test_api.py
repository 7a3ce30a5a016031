import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CEILING = "/limits/api/ceiling/"
VAT = "/limits/api/vat/"


def get(client, url, **params):
    return client.get(url, params)


def test_urls_are_as_documented():
    assert reverse("limits:api_ceiling") == CEILING
    assert reverse("limits:api_vat") == VAT


@pytest.mark.parametrize(
    ("params", "ceiling", "basis", "ratio"),
    [
        ({"new_unit": "1"}, 10_000_000_000, "exemption_new_unit", "1"),
        (
            {"prior_sales": "10000000000", "prior_vat": "1000000000", "prior_vat_paid": "1000000000"},
            50_000_000_000,
            "prior_sales",
            "1",
        ),
        (
            {"prior_sales": "10000000000", "prior_vat": "1000000000", "prior_vat_paid": "500000000"},
            25_000_000_000,
            "prior_sales_pro_rata",
            "0.5",
        ),
        (
            {"prior_sales": "1500000000", "prior_vat": "150000000", "prior_vat_paid": "150000000"},
            10_000_000_000,
            "exemption_floor",
            "1",
        ),
    ],
)
def test_worked_examples(client, params, ceiling, basis, ratio):
    response = get(client, CEILING, year="1404", quarter="2", new_unit=params.pop("new_unit", "0"), **params)
    assert response.status_code == 200
    assert response.json() == {
        "year": 1404,
        "quarter": 2,
        "ceiling": ceiling,
        "basis": basis,
        "exemption": 2_000_000_000,
        "paid_ratio": ratio,
    }


def test_persian_digits_and_separators(client):
    response = get(
        client,
        CEILING,
        year="۱۴۰۴",
        quarter="٢",
        prior_sales="۱۰٬۰۰۰٬۰۰۰٬۰۰۰",
        prior_vat="1,000,000,000",
        prior_vat_paid="٥٠٠،٠٠٠،٠٠٠",
        new_unit="0",
    )
    assert response.status_code == 200
    assert response.json()["ceiling"] == 25_000_000_000


def test_new_unit_needs_no_figures(client):
    response = get(client, CEILING, year="1403", quarter="4", new_unit="1")
    assert response.json()["ceiling"] == 5_000_000_000


def test_policy_applies_to_api(client, settings):
    settings.ARTICLE6_FLOOR_TESTS_PAID_SALES = False
    response = get(
        client, CEILING, year="1404", quarter="1", prior_sales="3000000000", prior_vat="3", prior_vat_paid="1"
    )
    assert response.json()["ceiling"] == 5_000_000_000
    assert response.json()["paid_ratio"] == "0.3333333333"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"quarter": "2", "new_unit": "1"}, "year"),
        ({"year": "abc", "quarter": "2", "new_unit": "1"}, "year"),
        ({"year": "1404", "new_unit": "1"}, "quarter"),
        ({"year": "1404", "quarter": "5", "new_unit": "1"}, "quarter"),
        ({"year": "1404", "quarter": "0", "new_unit": "1"}, "quarter"),
        ({"year": "1404", "quarter": "x", "new_unit": "1"}, "quarter"),
        ({"year": "1404", "quarter": "2", "new_unit": "maybe"}, "new_unit"),
        ({"year": "1404", "quarter": "2", "prior_vat": "1", "prior_vat_paid": "1"}, "prior_sales"),
        (
            {"year": "1404", "quarter": "2", "prior_sales": "1.5", "prior_vat": "1", "prior_vat_paid": "1"},
            "prior_sales",
        ),
        (
            {"year": "1404", "quarter": "2", "prior_sales": "12,5", "prior_vat": "1", "prior_vat_paid": "1"},
            "prior_sales",
        ),
        ({"year": "1404", "quarter": "2", "prior_sales": "1", "prior_vat": "-5", "prior_vat_paid": "1"}, "prior_vat"),
        (
            {"year": "1404", "quarter": "2", "prior_sales": "1", "prior_vat": "1", "prior_vat_paid": "1e9"},
            "prior_vat_paid",
        ),
        (
            {"year": "1404", "quarter": "2", "prior_sales": "9" * 5000, "prior_vat": "1", "prior_vat_paid": "1"},
            "prior_sales",
        ),
    ],
)
def test_ceiling_errors(client, params, field):
    response = get(client, CEILING, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"errors"}
    assert field in body["errors"]
    assert all(isinstance(m, str) and m for m in body["errors"][field])


def test_missing_figures_each_reported(client):
    body = get(client, CEILING, year="1404", quarter="2").json()
    assert set(body["errors"]) == {"prior_sales", "prior_vat", "prior_vat_paid"}


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("1402", "معافیت سالانه (ماده ۱۰۱) برای سال ۱۴۰۲ تعریف نشده است."),
        ("1399", "هیچ پارامتری برای ماده ۶ در سال ۱۳۹۹ تعریف نشده است."),
    ],
)
def test_year_without_exemption_names_the_year(client, settings, year, message):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = get(client, CEILING, year=year, quarter="1", new_unit="1")
    assert response.status_code == 400
    assert response.json()["errors"]["year"] == [message]


def test_exemption_year_prior_needs_prior_year(client, settings):
    settings.ARTICLE6_EXEMPTION_YEAR = "prior"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = get(client, CEILING, year="1403", quarter="1", new_unit="1")
    assert response.status_code == 400
    assert response.json()["errors"]["year"] == ["معافیت سالانه (ماده ۱۰۱) برای سال ۱۴۰۲ تعریف نشده است."]
    assert get(client, CEILING, year="1404", quarter="1", new_unit="1").json()["ceiling"] == 5_000_000_000


def test_messages_in_english_with_the_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(CEILING, {"year": "1404", "quarter": "9", "new_unit": "1"})
    assert response.json() == {"errors": {"quarter": ["Enter a quarter from 1 to 4."]}}


def test_post_is_not_allowed(client):
    assert client.post(CEILING, {}).status_code == 405


# VAT
@pytest.mark.parametrize(
    ("year", "amount", "rate", "vat"),
    [
        ("1404", "1000000000", "0.1", 100_000_000),
        ("1404", "19", "0.1", 1),
        ("1401", "999", "0.09", 89),
        ("1402", "۱۲۳٬۴۵۶٬۷۸۹", "0.09", 11_111_111),
        ("1404", "1000000000000000099", "0.1", 100_000_000_000_000_009),
    ],
)
def test_vat(client, year, amount, rate, vat):
    response = get(client, VAT, year=year, amount=amount)
    if len(amount) > 18:
        assert response.status_code == 400  # above the amount limit
        return
    assert response.status_code == 200
    assert response.json() == {"year": int(year), "rate": rate, "vat": vat}


def test_vat_of_a_large_amount_is_exact(client):
    amount = 999_999_999_999_999_999
    response = get(client, VAT, year="1404", amount=str(amount))
    assert response.json()["vat"] == 99_999_999_999_999_999


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "1404"}, "amount"),
        ({"year": "1404", "amount": "ten"}, "amount"),
        ({"year": "1404", "amount": "-1"}, "amount"),
        ({"amount": "1"}, "year"),
        ({"year": "1399", "amount": "1"}, "year"),
    ],
)
def test_vat_errors(client, params, field):
    response = get(client, VAT, **params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize("year", ["1200", "1404.0", "١٤٠٤x", "9" * 30, "", "٠"])
def test_bad_year_message_in_persian_digits(client, year):
    response = client.get("/limits/api/ceiling/", {"year": year, "quarter": "2", "new_unit": "1"})
    assert response.status_code == 400
    (message,) = response.json()["errors"]["year"]
    if year:
        assert "۱۳۰۰" in message and "1300" not in message

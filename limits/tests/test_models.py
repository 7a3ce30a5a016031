import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.tests.factories import CustomerFactory, OrganisationFactory
from helpdesk.tests.errors import error_codes
from helpdesk.validators import is_valid_legal_id, is_valid_national_id
from limits.models import Taxpayer, YearParameters
from limits.selectors import YearParametersMissing, exemption_for, vat_rate_for

from .factories import TaxpayerFactory, legal_id, national_id

pytestmark = pytest.mark.django_db


# Identifier checks (docs/article6.md examples)
def test_identifier_examples():
    assert is_valid_national_id("0076229645")
    assert not is_valid_national_id("0076229646")
    assert not is_valid_national_id("1111111111")
    assert is_valid_legal_id("10380284790")
    assert is_valid_legal_id("14003778990")
    assert not is_valid_legal_id("10380284791")


def test_factory_identifiers_are_valid():
    assert all(is_valid_national_id(national_id(n)) for n in range(200))
    assert all(is_valid_legal_id(legal_id(n)) for n in range(200))


def _taxpayer(**kwargs):
    values = {
        "economic_code": "41234567890123",
        "national_id": "0076229645",
        "name": "فروشگاه",
        "owner_user": CustomerFactory(),
        "registered_on": "2020-01-01",
    }
    values.update(kwargs)
    return Taxpayer(**values)


def test_person_with_persian_digits_is_normalised():
    taxpayer = _taxpayer(economic_code="۴۱۲۳۴۵۶۷۸۹۰۱۲۳", national_id="۰۰۷۶۲۲۹۶۴۵")
    taxpayer.full_clean()
    assert taxpayer.economic_code == "41234567890123"
    assert taxpayer.national_id == "0076229645"


def test_legal_entity_code_must_equal_legal_id():
    org = OrganisationFactory()
    ok = _taxpayer(economic_code="10380284790", national_id="10380284790", owner_user=None, owner_organisation=org)
    ok.full_clean()
    bad = _taxpayer(economic_code="10380284790", national_id="14003778990", owner_user=None, owner_organisation=org)
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert error_codes(exc.value) == {"national_id": ["legal_code_mismatch"]}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("economic_code", "1234567890", "invalid_economic_code"),  # 10 digits
        ("economic_code", "10380284791", "invalid_economic_code"),  # 11 digits, bad check digit
        ("economic_code", "4123456789012a", "invalid_economic_code"),
        ("national_id", "0076229646", "invalid_taxpayer_id"),
        ("national_id", "10380284791", "invalid_taxpayer_id"),
    ],
)
def test_bad_identifiers_refused(field, value, code):
    with pytest.raises(ValidationError) as exc:
        _taxpayer(**{field: value}).full_clean()
    codes = error_codes(exc.value)
    assert list(codes) == [field] and code in codes[field]


def test_person_code_needs_a_person_id():
    with pytest.raises(ValidationError) as exc:
        _taxpayer(national_id="10380284790").full_clean()
    assert error_codes(exc.value) == {"national_id": ["person_needs_national_id"]}


def test_exactly_one_owner_clean_and_constraint():
    for kwargs in ({"owner_user": None}, {"owner_organisation": OrganisationFactory()}):
        with pytest.raises(ValidationError) as exc:
            _taxpayer(**kwargs).full_clean()
        assert error_codes(exc.value) == {"owner_user": ["one_owner"]}
    for kwargs in ({"owner_user": None}, {"owner_organisation": OrganisationFactory()}):
        with pytest.raises(IntegrityError), transaction.atomic():
            _taxpayer(**kwargs).save()


def test_factory_taxpayer_is_clean():
    TaxpayerFactory().full_clean()


# Seeded year parameters
def test_seeded_years():
    assert exemption_for(1404) == 2_000_000_000
    assert exemption_for(1403) == 1_000_000_000
    assert str(vat_rate_for(1404)) == "1/10"
    assert str(vat_rate_for(1401)) == "9/100"
    for year in (1400, 1401, 1402, 1403, 1404):
        row = YearParameters.objects.get(year=year)
        assert row.exemption_source and row.vat_rate_source


@pytest.mark.parametrize(("year", "persian_year"), [(1400, "۱۴۰۰"), (1401, "۱۴۰۱"), (1402, "۱۴۰۲")])
def test_missing_exemption_names_the_year(year, persian_year):
    with translation.override("fa"):
        with pytest.raises(YearParametersMissing) as exc:
            exemption_for(year)
        assert exc.value.messages == [f"معافیت سالانه (ماده ۱۰۱) برای سال {persian_year} تعریف نشده است."]
    assert exc.value.code == "missing_exemption"


def test_missing_year_names_the_year():
    with translation.override("fa"):
        with pytest.raises(YearParametersMissing) as exc:
            vat_rate_for(1399)
        assert exc.value.messages == ["هیچ پارامتری برای ماده ۶ در سال ۱۳۹۹ تعریف نشده است."]
    assert exc.value.code == "missing_year"


def test_vat_rate_constraint():
    with pytest.raises(IntegrityError), transaction.atomic():
        YearParameters.objects.create(year=1410, vat_rate=101)

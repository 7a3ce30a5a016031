from decimal import Decimal
from fractions import Fraction

import pytest

from limits.calculations import (
    Basis,
    Policies,
    exemption_year,
    initial_ceiling,
    rate_fraction,
    rate_string,
    ratio_string,
    vat_on,
)

E_1404 = 2_000_000_000
DEFAULT = Policies()
RAW_FLOOR = Policies(floor_tests_paid_sales=False)


def calc(s, t, p, *, e=E_1404, new_unit=False, policies=DEFAULT):
    return initial_ceiling(
        prior_sales=s, prior_vat=t, prior_vat_paid=p, exemption=e, new_unit=new_unit, policies=policies
    )


# docs/article6.md worked examples (1404, E = 2,000,000,000)
def test_new_unit():
    result = calc(None, None, None, new_unit=True)
    assert (result.ceiling, result.basis) == (10_000_000_000, Basis.EXEMPTION_NEW_UNIT)


def test_new_unit_ignores_prior_figures():
    assert calc(10**12, 10**11, 10**11, new_unit=True).ceiling == 10_000_000_000


def test_no_declaration_counts_as_new_unit():
    assert calc(None, None, None).basis == Basis.EXEMPTION_NEW_UNIT


def test_fully_paid():
    result = calc(10_000_000_000, 1_000_000_000, 1_000_000_000)
    assert (result.ceiling, result.basis) == (50_000_000_000, Basis.PRIOR_SALES)
    assert result.paid_ratio == "1"


def test_half_paid():
    result = calc(10_000_000_000, 1_000_000_000, 500_000_000)
    assert (result.ceiling, result.basis) == (25_000_000_000, Basis.PRIOR_SALES_PRO_RATA)
    assert result.paid_ratio == "0.5"


def test_small_sales_fully_paid_floor():
    result = calc(1_500_000_000, 150_000_000, 150_000_000)
    assert (result.ceiling, result.basis) == (10_000_000_000, Basis.EXEMPTION_FLOOR)


def test_t_zero_means_nothing_owed():
    result = calc(3_000_000_000, 0, 0)
    assert (result.ceiling, result.basis) == (15_000_000_000, Basis.PRIOR_SALES)
    assert result.paid_ratio == "1"


def test_p_greater_than_t_is_capped():
    result = calc(3_000_000_000, 300_000_000, 900_000_000)
    assert (result.ceiling, result.basis) == (15_000_000_000, Basis.PRIOR_SALES)


def test_paid_sales_exactly_equal_to_e_is_not_floor():
    # S_paid == E: the floor applies only below E; 5 × S_paid == 5 × E, basis from the sales
    result = calc(4_000_000_000, 400_000_000, 200_000_000)
    assert result.paid_sales == E_1404
    assert (result.ceiling, result.basis) == (10_000_000_000, Basis.PRIOR_SALES_PRO_RATA)
    result = calc(E_1404, 10, 10)
    assert (result.ceiling, result.basis) == (10_000_000_000, Basis.PRIOR_SALES)


def test_one_rial_below_e_is_floor():
    assert calc(E_1404 - 1, 10, 10).basis == Basis.EXEMPTION_FLOOR


# Policy ARTICLE6_FLOOR_TESTS_PAID_SALES
def test_default_policy_floors_a_debtor_on_paid_sales():
    # S = 3e9 ≥ E but only a third paid: S_paid = 1e9 < E → floor 5 × E
    result = calc(3_000_000_000, 300_000_000, 100_000_000)
    assert (result.ceiling, result.basis) == (10_000_000_000, Basis.EXEMPTION_FLOOR)


def test_raw_floor_policy_gives_debtor_pro_rata_below_the_floor():
    result = calc(3_000_000_000, 300_000_000, 100_000_000, policies=RAW_FLOOR)
    assert (result.ceiling, result.basis) == (5_000_000_000, Basis.PRIOR_SALES_PRO_RATA)


def test_raw_floor_policy_still_floors_small_sales():
    result = calc(1_000_000_000, 100_000_000, 100_000_000, policies=RAW_FLOOR)
    assert (result.ceiling, result.basis) == (10_000_000_000, Basis.EXEMPTION_FLOOR)


def test_policies_agree_when_fully_paid():
    for s in (1_000_000_000, 2_000_000_000, 7_000_000_000):
        assert calc(s, 9, 9) == calc(s, 9, 9, policies=RAW_FLOOR)


# Policy ARTICLE6_EXEMPTION_YEAR
def test_exemption_year_policy():
    assert exemption_year(1404, Policies()) == 1404
    assert exemption_year(1404, Policies(exemption_year="prior")) == 1403


def test_policies_are_validated():
    with pytest.raises(ValueError):
        Policies(exemption_year="next")
    with pytest.raises(ValueError):
        Policies(floor_tests_paid_sales="yes")


# Integer arithmetic and truncation
def test_pro_rata_truncates_the_exact_value_not_a_decimal_quotient():
    # S × 1/3 with S = 3,000,000,000: exactly 1,000,000,000. Dividing Decimals first gives 0.333…3 × S
    # = 999,999,999.99… → 999,999,999: a rial lost (and the floor test would then fail).
    s = 3_000_000_000
    assert int(Decimal(s) * (Decimal(1) / Decimal(3))) == 999_999_999  # the trap this guards against
    result = calc(s, 3, 1, e=1_000_000_000)
    assert result.paid_sales == 1_000_000_000
    assert (result.ceiling, result.basis) == (5_000_000_000, Basis.PRIOR_SALES_PRO_RATA)


def test_pro_rata_float_would_lose_a_rial():
    s, t, p = 90_000_000_000, 10, 7
    assert int(s * (p / t)) == 62_999_999_999  # float: 0.7 is not exact in binary
    result = calc(s, t, p)
    assert result.paid_sales == 63_000_000_000
    assert result.ceiling == 315_000_000_000


def test_exemption_is_annual_not_quartered():
    assert calc(None, None, None, e=1_000_000_000, new_unit=True).ceiling == 5_000_000_000


@pytest.mark.parametrize("field", ["prior_sales", "prior_vat", "prior_vat_paid", "exemption"])
def test_negative_inputs_refused(field):
    kwargs = {"prior_sales": 1, "prior_vat": 1, "prior_vat_paid": 1, "exemption": 1, "new_unit": False}
    kwargs[field] = -1
    with pytest.raises(ValueError):
        initial_ceiling(**kwargs)


def test_float_inputs_refused():
    with pytest.raises(TypeError):
        calc(1.5, 1, 1)


# VAT
def test_rate_fraction_is_exact():
    assert rate_fraction(Decimal("10.00")) == Fraction(1, 10)
    assert rate_fraction("9") == Fraction(9, 100)
    assert rate_string(rate_fraction("10")) == "0.1"
    assert rate_string(rate_fraction("9")) == "0.09"


@pytest.mark.parametrize(
    ("amount", "percent", "vat"),
    [
        (1_000_000_000, "10", 100_000_000),
        (999, "9", 89),  # 89.91 truncated
        (123_456_789, "9", 11_111_111),  # 11,111,111.01
        (19, "10", 1),
        (9, "10", 0),
    ],
)
def test_vat_truncates(amount, percent, vat):
    assert vat_on(amount, rate_fraction(percent)) == vat


def test_vat_float_would_lose_a_rial():
    amount = 10**18 + 99
    assert int(amount * 0.1) != amount // 10  # floats cannot hold such an amount
    assert vat_on(amount, rate_fraction("10")) == 100_000_000_000_000_009
    big = 10**30 + 10  # beyond Decimal's 28 digits
    assert vat_on(big, rate_fraction("9")) == big * 9 // 100


def test_vat_refuses_negative():
    with pytest.raises(ValueError):
        vat_on(-1, rate_fraction("10"))


def test_ratio_string():
    assert ratio_string(1, 3) == "0.3333333333"
    assert ratio_string(2, 3) == "0.6666666666"  # truncated, not rounded
    assert ratio_string(5, 5) == "1"
    assert ratio_string(0, 5) == "0"

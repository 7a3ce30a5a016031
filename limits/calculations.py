"""The Article 6 arithmetic, as pure functions (no database, no settings, no clock).

Every amount is an integer number of rials. Every result is the exact value truncated to whole rials, computed with
integers only: `S * min(P, T) // T`, `X * numerator // denominator`. Never floats, and never a `Decimal` division
first (a 28-digit quotient such as 0.333… × S can lose a rial before the truncation).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

MULTIPLIER = 5  # the ceiling is five times the sales (or the exemption)
RATIO_PLACES = 10  # digits after the point in the displayed paid ratio (truncated)


class Basis:
    """The rule that produced a ceiling (stable identifiers, used by the API and stored on Ceiling)."""

    EXEMPTION_NEW_UNIT = "exemption_new_unit"
    EXEMPTION_FLOOR = "exemption_floor"
    PRIOR_SALES = "prior_sales"
    PRIOR_SALES_PRO_RATA = "prior_sales_pro_rata"

    ALL = (EXEMPTION_NEW_UNIT, EXEMPTION_FLOOR, PRIOR_SALES, PRIOR_SALES_PRO_RATA)


EXEMPTION_YEAR_PERIOD = "period"
EXEMPTION_YEAR_PRIOR = "prior"
EXEMPTION_YEAR_CHOICES = (EXEMPTION_YEAR_PERIOD, EXEMPTION_YEAR_PRIOR)


@dataclass(frozen=True)
class Policies:
    """The two named policy settings of docs/article6.md (see `limits.conf.policies()` for reading them from settings).

    floor_tests_paid_sales: True (default) compares the floor E with the paid part of the sales (S_paid); False
        compares it with the raw S, so a debtor with S ≥ E gets 5 × S_paid even when that is below 5 × E.
    exemption_year: "period" (default) uses E of the year being limited; "prior" uses E of the prior period's year.
    """

    floor_tests_paid_sales: bool = True
    exemption_year: str = EXEMPTION_YEAR_PERIOD

    def __post_init__(self):
        if not isinstance(self.floor_tests_paid_sales, bool):
            raise ValueError("floor_tests_paid_sales must be a bool")
        if self.exemption_year not in EXEMPTION_YEAR_CHOICES:
            raise ValueError(f"exemption_year must be one of {EXEMPTION_YEAR_CHOICES}, not {self.exemption_year!r}")


DEFAULT_POLICIES = Policies()


@dataclass(frozen=True)
class CeilingResult:
    ceiling: int
    basis: str
    exemption: int
    paid_numerator: int  # min(P, T) (or 1 when there is no fraction to apply)
    paid_denominator: int  # T (or 1)
    paid_sales: int | None  # S_paid = trunc(S × f); None for a new unit

    @property
    def paid_ratio(self) -> str:
        return ratio_string(self.paid_numerator, self.paid_denominator)


def _check_amount(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of rials, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative")


def exemption_year(period_year: int, policies: Policies = DEFAULT_POLICIES) -> int:
    """The year whose E applies to a period of `period_year` under the `exemption_year` policy."""
    return period_year if policies.exemption_year == EXEMPTION_YEAR_PERIOD else period_year - 1


def initial_ceiling(
    *,
    prior_sales: int | None,
    prior_vat: int | None,
    prior_vat_paid: int | None,
    exemption: int,
    new_unit: bool,
    policies: Policies = DEFAULT_POLICIES,
) -> CeilingResult:
    """The initial ceiling C of a period and the rule that produced it (docs/article6.md, "Initial ceiling").

    S, T, P are the prior period's declared sales, VAT due and VAT paid or arranged; E is the annual exemption (not
    divided by four). A new unit, or one without a declaration for the prior period (any of S, T, P is None), gets
    5 × E. Otherwise f = min(P, T) / T (1 when T = 0), S_paid = trunc(S × f), and C = 5 × S_paid unless the floor
    applies (S_paid < E, or S < E under `floor_tests_paid_sales=False`), in which case C = 5 × E.
    """
    for name, value in (("prior_sales", prior_sales), ("prior_vat", prior_vat), ("prior_vat_paid", prior_vat_paid)):
        _check_amount(name, value)
    _check_amount("exemption", exemption)
    if exemption is None:
        raise ValueError("exemption is required")

    if new_unit or prior_sales is None or prior_vat is None or prior_vat_paid is None:
        return CeilingResult(MULTIPLIER * exemption, Basis.EXEMPTION_NEW_UNIT, exemption, 1, 1, None)

    if prior_vat == 0:
        numerator, denominator = 1, 1
    else:
        numerator, denominator = min(prior_vat_paid, prior_vat), prior_vat
    paid_sales = prior_sales * numerator // denominator  # exact, then truncated
    floor_tested = paid_sales if policies.floor_tests_paid_sales else prior_sales

    if floor_tested < exemption:
        return CeilingResult(
            MULTIPLIER * exemption, Basis.EXEMPTION_FLOOR, exemption, numerator, denominator, paid_sales
        )
    basis = Basis.PRIOR_SALES if numerator == denominator else Basis.PRIOR_SALES_PRO_RATA
    return CeilingResult(MULTIPLIER * paid_sales, basis, exemption, numerator, denominator, paid_sales)


def rate_fraction(rate_percent: Decimal | int | str) -> Fraction:
    """A VAT rate given in percent (e.g. Decimal("10.00") or "9") as an exact fraction of one (1/10, 9/100)."""
    value = Fraction(Decimal(str(rate_percent))) / 100
    if value < 0 or value > 1:
        raise ValueError("a VAT rate must be between 0 and 100 percent")
    return value


def vat_on(amount: int, rate: Fraction) -> int:
    """The VAT on `amount` rials at `rate` (a fraction of one), truncated to whole rials: X × num // den."""
    _check_amount("amount", amount)
    if amount is None:
        raise ValueError("amount is required")
    return amount * rate.numerator // rate.denominator


def ratio_string(numerator: int, denominator: int, places: int = RATIO_PLACES) -> str:
    """numerator / denominator as a decimal string truncated to `places` digits, without trailing zeros ("0.5")."""
    if denominator <= 0 or numerator < 0:
        raise ValueError("ratio needs a positive denominator and a non-negative numerator")
    scaled = numerator * 10**places // denominator
    whole, fraction = divmod(scaled, 10**places)
    digits = f"{fraction:0{places}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def rate_string(rate: Fraction) -> str:
    """A rate as a decimal string of the fraction of one ("0.1" for 10 %, "0.09" for 9 %)."""
    return ratio_string(rate.numerator, rate.denominator)

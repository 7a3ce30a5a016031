"""Article 6 reference data, ceilings and usage: taxpayers, year parameters, prior figures. Money is integer rials."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.persian import clean_digits
from helpdesk.validators import (
    is_valid_legal_id,
    is_valid_national_id,
    normalize_economic_code,
    validate_economic_code,
)

from ..calculations import Basis, rate_fraction, ratio_string
from ..periods import MAX_YEAR, MIN_YEAR, Period

if TYPE_CHECKING:
    from accounts.models import User

MSG_TAXPAYER_ID = _("Enter a valid 10-digit national ID (کد ملی) or 11-digit legal national ID (شناسه ملی).")
MSG_LEGAL_CODE_MISMATCH = _("For a legal entity the economic code is its legal national ID: the two must be equal.")
MSG_PERSON_NEEDS_NATIONAL_ID = _(
    "A 14-digit economic code belongs to a person: enter the person's 10-digit national ID."
)
MSG_ONE_OWNER = _("Choose either a customer account or an organisation as the owner, not both.")

YEAR_VALIDATORS = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
QUARTER_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]


def validate_taxpayer_id(value: str) -> None:
    code = clean_digits(value)
    if not (is_valid_national_id(code) or is_valid_legal_id(code)):
        raise ValidationError(MSG_TAXPAYER_ID, code="invalid_taxpayer_id")


class Quarter(models.IntegerChoices):
    SPRING = 1, _("Q1 (spring)")
    SUMMER = 2, _("Q2 (summer)")
    AUTUMN = 3, _("Q3 (autumn)")
    WINTER = 4, _("Q4 (winter)")


class TaxpayerQuerySet(models.QuerySet):
    def owned_by(self, user: User) -> TaxpayerQuerySet:
        """Taxpayers `user` sells for: their own, and their organisation's when they manage it (see permissions)."""
        condition = Q(owner_user=user)
        if user.organisation_id and user.organisation_role == user.OrganisationRole.MANAGER:
            condition |= Q(owner_organisation_id=user.organisation_id)
        return self.filter(condition)


class Taxpayer(models.Model):
    """مودی: a seller identified by an economic code, owned by one customer account or one organisation."""

    economic_code = models.CharField(
        _("economic code"),
        max_length=14,
        unique=True,
        validators=[validate_economic_code],
        help_text=_("11 digits (legal entity) or 14 digits (person)."),
    )
    national_id = models.CharField(
        _("national ID or legal national ID"), max_length=11, validators=[validate_taxpayer_id]
    )
    name = models.CharField(_("name"), max_length=200)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (customer account)"),
        related_name="taxpayers",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    owner_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("owner (organisation)"),
        related_name="taxpayers",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    is_new_unit = models.BooleanField(
        _("new unit or no tax history"),
        default=False,
        help_text=_("A newly established unit or one without tax history gets five times the annual exemption."),
    )
    registered_on = models.DateField(_("registration date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TaxpayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("taxpayer")
        verbose_name_plural = _("taxpayers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_organisation__isnull=True))
                | (Q(owner_user__isnull=True) & Q(owner_organisation__isnull=False)),
                name="taxpayer_exactly_one_owner",
                violation_error_message=MSG_ONE_OWNER,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.economic_code})"

    def clean(self):
        errors = {}
        try:
            self.economic_code = normalize_economic_code(self.economic_code)
        except ValidationError as exc:
            errors["economic_code"] = exc.error_list
        self.national_id = clean_digits(self.national_id)
        if not errors and self.national_id:
            if len(self.economic_code) == 11 and self.national_id != self.economic_code:
                errors["national_id"] = [ValidationError(MSG_LEGAL_CODE_MISMATCH, code="legal_code_mismatch")]
            elif len(self.economic_code) == 14 and len(self.national_id) != 10:
                errors["national_id"] = [ValidationError(MSG_PERSON_NEEDS_NATIONAL_ID, code="person_needs_national_id")]
        if (self.owner_user_id is None) == (self.owner_organisation_id is None):
            errors["owner_user"] = [ValidationError(MSG_ONE_OWNER, code="one_owner")]
        if errors:
            raise ValidationError(errors)

    @property
    def owner(self):
        return self.owner_user or self.owner_organisation


class YearParameters(models.Model):
    """The figures of one Jalali year: the Article 101 annual exemption E and the VAT rate r, each with its source.

    Either may be empty (unknown): a calculation that needs it fails with a message naming the year; another year's
    figure is never used instead.
    """

    year = models.PositiveSmallIntegerField(_("Jalali year"), unique=True, validators=YEAR_VALIDATORS)
    exemption = models.PositiveBigIntegerField(
        _("annual exemption (Article 101), rials"),
        null=True,
        blank=True,
        help_text=_("The annual figure; it is not divided by four. Leave empty while unknown."),
    )
    exemption_source = models.CharField(_("source of the exemption"), max_length=300, blank=True)
    vat_rate = models.DecimalField(
        _("VAT rate (percent)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("For example 10 for ten percent. Leave empty while unknown."),
    )
    vat_rate_source = models.CharField(_("source of the VAT rate"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("year parameters")
        verbose_name_plural = _("year parameters")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_rate__isnull=True) | (Q(vat_rate__gte=0) & Q(vat_rate__lte=100)),
                name="year_parameters_vat_rate_percent",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def rate(self):
        """The VAT rate as an exact fraction of one (None when not configured)."""
        return None if self.vat_rate is None else rate_fraction(self.vat_rate)


class FigureSource(models.TextChoices):
    ENTERED = "entered", _("Entered by staff")
    IMPORTED = "imported", _("Imported from a file")


class PriorPeriodFigures(models.Model):
    """What a taxpayer declared for one period: sales S, VAT due T, VAT paid or arranged P (rials)."""

    taxpayer = models.ForeignKey(Taxpayer, verbose_name=_("taxpayer"), related_name="figures", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("Jalali year"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices, validators=QUARTER_VALIDATORS)
    sales = models.PositiveBigIntegerField(_("declared sales, rials"))
    vat_due = models.PositiveBigIntegerField(_("VAT due, rials"))
    vat_paid = models.PositiveBigIntegerField(_("VAT paid or arranged, rials"))
    source = models.CharField(_("entered or imported"), max_length=10, choices=FigureSource.choices)
    source_note = models.CharField(
        _("where the figures came from"), max_length=300, blank=True, help_text=_("E.g. the declaration's number.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("prior-period figures")
        verbose_name_plural = _("prior-period figures")
        ordering = ["taxpayer", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "year", "quarter"], name="figures_one_per_period"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="figures_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.taxpayer} {self.period.label}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)


class CeilingQuerySet(models.QuerySet):
    def for_period(self, period: Period) -> CeilingQuerySet:
        return self.filter(year=period.year, quarter=period.quarter)


class Ceiling(models.Model):
    """The sales ceiling of one taxpayer in one period: the initial C, the rule, applied increases and usage."""

    BASIS_CHOICES = [
        (Basis.EXEMPTION_NEW_UNIT, _("five times the exemption (new unit or no tax history)")),
        (Basis.EXEMPTION_FLOOR, _("five times the exemption (prior sales below the exemption)")),
        (Basis.PRIOR_SALES, _("five times the prior period's sales")),
        (Basis.PRIOR_SALES_PRO_RATA, _("five times the prior sales, in proportion to the tax paid")),
    ]

    taxpayer = models.ForeignKey(
        Taxpayer, verbose_name=_("taxpayer"), related_name="ceilings", on_delete=models.CASCADE
    )
    year = models.PositiveSmallIntegerField(_("Jalali year"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices, validators=QUARTER_VALIDATORS)
    initial = models.PositiveBigIntegerField(_("initial ceiling, rials"))
    basis = models.CharField(_("rule applied"), max_length=24, choices=BASIS_CHOICES)
    exemption = models.PositiveBigIntegerField(_("exemption used, rials"))
    exemption_year = models.PositiveSmallIntegerField(_("year of the exemption"))
    prior_sales = models.PositiveBigIntegerField(_("prior sales, rials"), null=True, blank=True)
    prior_vat = models.PositiveBigIntegerField(_("prior VAT due, rials"), null=True, blank=True)
    prior_vat_paid = models.PositiveBigIntegerField(_("prior VAT paid or arranged, rials"), null=True, blank=True)
    floor_tests_paid_sales = models.BooleanField(_("policy: floor tested on paid sales"), default=True)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    increases = models.PositiveBigIntegerField(_("applied increases, rials"), default=0)
    used = models.PositiveBigIntegerField(_("used, rials"), default=0)
    warned_80_at = models.DateTimeField(_("warned at 80%"), null=True, blank=True)
    warned_100_at = models.DateTimeField(_("warned at 100%"), null=True, blank=True)
    warning_ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("warning ticket"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Where this period's usage warnings were sent to the seller."),
    )

    objects = CeilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales ceiling")
        verbose_name_plural = _("sales ceilings")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["taxpayer", "year", "quarter"], name="ceiling_one_per_period"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="ceiling_quarter_1_4"),
        ]
        indexes = [models.Index(fields=["year", "quarter"], name="ceiling_period_idx")]

    def __str__(self) -> str:
        return f"{self.taxpayer} {self.period.label}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)

    @property
    def total(self) -> int:
        """C + Σ applied increases."""
        return self.initial + self.increases

    @property
    def remaining(self) -> int:
        return max(self.total - self.used, 0)

    @property
    def paid_fraction(self) -> tuple[int, int]:
        """min(P, T) / T of the prior figures the ceiling was computed from (1/1 when T = 0 or none)."""
        if not self.prior_vat or self.prior_vat_paid is None:
            return 1, 1
        return min(self.prior_vat_paid, self.prior_vat), self.prior_vat

    @property
    def paid_sales(self) -> int | None:
        """S_paid = trunc(S × f) as used by the rule (None without prior figures)."""
        if self.prior_sales is None:
            return None
        numerator, denominator = self.paid_fraction
        return self.prior_sales * numerator // denominator

    @property
    def paid_percent(self) -> str:
        return ratio_string(self.paid_fraction[0] * 100, self.paid_fraction[1], places=2)

    @property
    def percent_used(self) -> int:
        """Whole percent used (truncated), capped at 100 for the progress bar."""
        if self.total == 0:
            return 100 if self.used else 0
        return min(self.used * 100 // self.total, 100)


class Usage(models.Model):
    """Invoice totals issued in a period (entered by staff or imported)."""

    ceiling = models.ForeignKey(Ceiling, verbose_name=_("ceiling"), related_name="usages", on_delete=models.CASCADE)
    amount = models.PositiveBigIntegerField(_("invoice total, rials"), validators=[MinValueValidator(1)])
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("E.g. the invoice numbers or the import batch.")
    )
    source = models.CharField(_("entered or imported"), max_length=10, choices=FigureSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("usage")
        verbose_name_plural = _("usage")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ceiling", "reference"], condition=~Q(reference=""), name="usage_reference_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="usage_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ceiling}: {self.amount}"

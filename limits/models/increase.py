"""The increase request (درخواست افزایش حد مجاز): a ticket plus the structured request and its evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..periods import Period
from .core import QUARTER_VALIDATORS, YEAR_VALIDATORS, Quarter, Taxpayer


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    AWAITING_PRIOR_DEBT = "awaiting_prior_debt", _("Awaiting payment of the prior-period debt")
    AWAITING_SETTLEMENT = "awaiting_settlement", _("Awaiting payment, arrangement or guarantee")
    SETTLED = "settled", _("Settled")
    ANNOUNCED = "announced", _("Announced to the regulation centre")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


CLOSED_STATES = frozenset({State.APPLIED, State.REJECTED, State.WITHDRAWN, State.EXPIRED})
OPEN_STATES = frozenset(set(State) - CLOSED_STATES)
_ENDINGS = frozenset({State.REJECTED, State.WITHDRAWN, State.EXPIRED})

# docs/article6.md, "Steps": the only way a request changes state.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    State.SUBMITTED: frozenset({State.UNDER_REVIEW}) | _ENDINGS,
    State.UNDER_REVIEW: frozenset({State.AWAITING_PRIOR_DEBT, State.AWAITING_SETTLEMENT}) | _ENDINGS,
    State.AWAITING_PRIOR_DEBT: frozenset({State.UNDER_REVIEW}) | _ENDINGS,
    State.AWAITING_SETTLEMENT: frozenset({State.SETTLED}) | _ENDINGS,
    State.SETTLED: frozenset({State.ANNOUNCED}) | _ENDINGS,
    State.ANNOUNCED: frozenset({State.APPLIED}) | _ENDINGS,
    State.APPLIED: frozenset(),
    State.REJECTED: frozenset(),
    State.WITHDRAWN: frozenset(),
    State.EXPIRED: frozenset(),
}


class Settlement(models.TextChoices):
    PAYMENT = "payment", _("Payment (a payment ID is issued)")
    ARRANGEMENT = "arrangement", _("Payment arrangement")
    GUARANTEE = "guarantee", _("Guarantee")


class GuaranteeType(models.TextChoices):
    BANK_GUARANTEE = "bank_guarantee", _("Bank guarantee")
    PROMISSORY_NOTE = "promissory_note", _("Promissory note")
    CHEQUE = "cheque", _("Cheque")
    CASH_DEPOSIT = "cash_deposit", _("Cash deposit")
    OTHER = "other", _("Other")


class IncreaseRequestQuerySet(models.QuerySet):
    def open(self) -> IncreaseRequestQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def for_period(self, period: Period) -> IncreaseRequestQuerySet:
        return self.filter(year=period.year, quarter=period.quarter)


class IncreaseRequest(models.Model):
    """A seller's request to sell X rials above the period's ceiling. State changes only through
    `limits.services.increases` (one service per step of docs/article6.md, each recorded on the ticket)."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), related_name="increase_request", on_delete=models.PROTECT
    )
    taxpayer = models.ForeignKey(
        Taxpayer, verbose_name=_("taxpayer"), related_name="increase_requests", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("Jalali year"), validators=YEAR_VALIDATORS)
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices, validators=QUARTER_VALIDATORS)
    amount = models.PositiveBigIntegerField(_("requested extra sales, rials"))
    vat_rate = models.DecimalField(_("VAT rate (percent)"), max_digits=5, decimal_places=2)
    vat = models.PositiveBigIntegerField(_("VAT on the extra sales, rials"))
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.SUBMITTED)
    period_ends_at = models.DateTimeField(
        _("period ends at"), help_text=_("00:00 Tehran time after the period's last day; open requests expire then.")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), related_name="+", on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # (ب) prior-period debt
    prior_debt_note = models.TextField(_("prior-period debt"), blank=True)
    # (ج) settlement of the VAT on X
    settlement_method = models.CharField(_("settlement method"), max_length=12, choices=Settlement.choices, blank=True)
    payment_id = models.CharField(_("payment ID issued"), max_length=40, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    arrangement_decision = models.CharField(_("arrangement decision"), max_length=200, blank=True)
    guarantee_type = models.CharField(_("guarantee type"), max_length=16, choices=GuaranteeType.choices, blank=True)
    guarantee_amount = models.PositiveBigIntegerField(_("guarantee amount, rials"), null=True, blank=True)
    guarantee_issuer = models.CharField(_("guarantee issuer"), max_length=200, blank=True)
    guarantee_expiry = models.DateField(_("guarantee expiry"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    # (د) the provincial office's letter to the regulation centre
    letter_number = models.CharField(_("letter number"), max_length=60, blank=True)
    letter_date = models.DateField(_("letter date"), null=True, blank=True)
    announced_amount = models.PositiveBigIntegerField(_("announced exact amount, rials"), null=True, blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    # endings
    close_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = IncreaseRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("increase request")
        verbose_name_plural = _("increase requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="increase_amount_positive"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="increase_quarter_1_4"),
            models.CheckConstraint(condition=Q(state__in=State.values), name="increase_state_known"),
            # Notice 268/42561/د: without an announced exact amount a request cannot be applied.
            models.CheckConstraint(
                condition=~Q(state__in=[State.ANNOUNCED, State.APPLIED])
                | (Q(announced_amount__isnull=False) & ~Q(letter_number="") & Q(letter_date__isnull=False)),
                name="increase_applied_needs_announcement",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "period_ends_at"], name="increase_state_deadline_idx"),
            models.Index(fields=["year", "quarter"], name="increase_period_idx"),
            models.Index(fields=["-created_at"], name="increase_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.taxpayer} {self.period.label}: {self.amount}"

    @property
    def period(self) -> Period:
        return Period(self.year, self.quarter)

    @property
    def vat_rate_percent(self) -> str:
        """The rate for people: "10", "9.5" (no exponent, no trailing zeros)."""
        return f"{self.vat_rate.normalize():f}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def can_transition_to(self, state: str) -> bool:
        return state in ALLOWED_TRANSITIONS.get(self.state, frozenset())

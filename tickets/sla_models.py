"""SLA configuration (F14, B4): policies, working hours per weekday and holidays. Imported by `tickets.models`.

The arithmetic lives in `tickets.sla`; applying it to tickets and the every-minute scan in
`tickets.services.sla`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import format_jalali_date


class Weekday(models.IntegerChoices):
    """Python's weekday numbers, listed from Saturday (the first day of the Iranian week)."""

    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class BusinessHours(models.Model):
    """The working hours of one weekday (Tehran time). With no rows at all the default calendar applies
    (Saturday–Wednesday 08:00–16:00, Thursday 08:00–12:00, Friday off); once rows exist, a weekday without
    a row is a day off."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, unique=True)
    is_working = models.BooleanField(_("working day"), default=True)
    opens_at = models.TimeField(_("opens at"), default="08:00")
    closes_at = models.TimeField(_("closes at"), default="16:00")

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        ordering = ["weekday"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="businesshours_closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="businesshours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return str(Weekday(self.weekday).label)

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The closing time must be after the opening time.")})


class Holiday(models.Model):
    """A day off (entered as a Jalali date; stored as the Gregorian date)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        text = format_jalali_date(self.date)
        return f"{text} {self.name}".strip()


class SLAPolicy(models.Model):
    """Targets for tickets of a priority, optionally narrowed to a department and/or a type; the most
    specific active policy wins. Targets are business minutes on the business calendar."""

    name = models.CharField(_("name"), max_length=120)
    priority = models.ForeignKey(
        "tickets.Priority", verbose_name=_("priority"), on_delete=models.CASCADE, related_name="sla_policies"
    )
    department = models.ForeignKey(
        "tickets.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        help_text=_("Empty: every department."),
    )
    type = models.ForeignKey(
        "tickets.TicketType",
        verbose_name=_("type"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        help_text=_("Empty: every type."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (business minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (business minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the target)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("A warning goes out when this share of the target has passed."),
    )
    level2_percent = models.PositiveSmallIntegerField(
        _("escalate to managers at (percent of the target)"),
        default=150,
        validators=[MinValueValidator(101), MaxValueValidator(1000)],
        help_text=_("At the breach the department's supervisors hear of it; at this point the managers."),
    )
    raise_priority_on_breach = models.BooleanField(
        _("raise the priority at a breach"), default=False, help_text=_("To the next more urgent active priority.")
    )
    reassign_on_breach = models.BooleanField(
        _("assign to a supervisor at a breach"),
        default=False,
        help_text=_("The ticket goes to one of the department's supervisors."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["priority__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "department", "type"],
                condition=Q(department__isnull=False, type__isnull=False),
                name="slapolicy_unique_dept_type",
            ),
            models.UniqueConstraint(
                fields=["priority", "department"],
                condition=Q(department__isnull=False, type__isnull=True),
                name="slapolicy_unique_dept",
            ),
            models.UniqueConstraint(
                fields=["priority", "type"],
                condition=Q(department__isnull=True, type__isnull=False),
                name="slapolicy_unique_type",
            ),
            models.UniqueConstraint(
                fields=["priority"],
                condition=Q(department__isnull=True, type__isnull=True),
                name="slapolicy_unique_priority",
            ),
            models.CheckConstraint(
                condition=Q(warn_percent__gte=1, warn_percent__lte=99), name="slapolicy_warn_percent_range"
            ),
            models.CheckConstraint(condition=Q(level2_percent__gt=100), name="slapolicy_level2_after_breach"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if not self.first_response_minutes and not self.resolution_minutes:
            raise ValidationError(_("Give a first response target, a resolution target or both."))
        if (
            self.first_response_minutes
            and self.resolution_minutes
            and self.first_response_minutes > self.resolution_minutes
        ):
            raise ValidationError(
                {"first_response_minutes": _("The first response target cannot be longer than the resolution target.")}
            )

    @property
    def targets(self):
        from .sla import Targets

        return Targets(
            first_response_minutes=self.first_response_minutes,
            resolution_minutes=self.resolution_minutes,
            warn_percent=self.warn_percent,
            level2_percent=self.level2_percent,
        )

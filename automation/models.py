"""Automatic handling of new tickets (B3, B5): ordered rules, round-robin routing per department, agents' away flag."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Organisation
from tickets.models import CannedResponse, Channel, Department, Priority, TicketType

ERR_NO_ACTION = _("A rule needs at least one action (set a department, priority, type, tags or assignee, or reply).")
ERR_KEYWORDS_EMPTY = _("Write at least one keyword, or leave the keyword fields as they are.")
ERR_ASSIGNEE_NOT_STAFF = _("Only active staff members can be assigned tickets.")
ERR_ASSIGNEE_NOT_IN_DEPARTMENT = _("%(agent)s isn't a member of the department “%(department)s”.")


class Rule(models.Model):
    """When a new ticket meets every condition that is set, the actions run in order (department, type,
    priority, tags, assignee, reply). Rules run by `order`; conditions see the ticket as earlier rules left it.
    Empty conditions match every ticket."""

    class KeywordsIn(models.TextChoices):
        SUBJECT_OR_BODY = "both", _("Subject or text")
        SUBJECT = "subject", _("Subject")
        BODY = "body", _("Text of the first message")

    class KeywordsMatch(models.TextChoices):
        ANY = "any", _("Any of the keywords")
        ALL = "all", _("All of the keywords")

    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveIntegerField(_("order"), default=0, help_text=_("Rules run from the lowest number up."))
    is_active = models.BooleanField(_("active"), default=True)
    stop_processing = models.BooleanField(
        _("stop here"), default=False, help_text=_("When this rule matches, the rules after it don't run.")
    )

    # Conditions
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_("The ticket came in by one of these (none: any).")
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    type = models.ForeignKey(
        TicketType, verbose_name=_("type"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("requester's organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "One per line. Matching ignores Arabic/Persian letter variants, digits' script, ZWNJ and capitals."
        ),
    )
    keywords_in = models.CharField(
        _("look for keywords in"), max_length=10, choices=KeywordsIn.choices, default=KeywordsIn.SUBJECT_OR_BODY
    )
    keywords_match = models.CharField(
        _("keywords needed"), max_length=10, choices=KeywordsMatch.choices, default=KeywordsMatch.ANY
    )

    # Actions
    set_department = models.ForeignKey(
        Department,
        verbose_name=_("transfer to department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    set_priority = models.ForeignKey(
        Priority, verbose_name=_("set priority"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    set_type = models.ForeignKey(
        TicketType, verbose_name=_("set type"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    add_tags = models.CharField(_("add tags"), max_length=500, blank=True, help_text=_("Separated by commas."))
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role__in": [r.value for r in STAFF_ROLES], "is_active": True},
    )
    canned_response = models.ForeignKey(
        CannedResponse,
        verbose_name=_("reply with"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A canned response sent to the customer as an automatic reply."),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["is_active", "order"], name="automation_rule_active_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]

    @property
    def has_action(self) -> bool:
        return any(
            (
                self.set_department_id,
                self.set_priority_id,
                self.set_type_id,
                self.add_tags.strip(),
                self.set_assignee_id,
                self.canned_response_id,
            )
        )

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if not self.has_action:
            errors.setdefault("__all__", []).append(ValidationError(ERR_NO_ACTION, code="no_action"))
        if self.keywords and not self.keyword_list:
            errors.setdefault("keywords", []).append(ValidationError(ERR_KEYWORDS_EMPTY, code="keywords_empty"))
        unknown = [c for c in self.channels or [] if c not in Channel.values]
        if unknown:
            errors.setdefault("channels", []).append(
                ValidationError(_("Unknown channel: %(value)s"), code="channel", params={"value": unknown[0]})
            )
        agent = self.set_assignee if self.set_assignee_id else None
        if agent is not None:
            if not (agent.is_active and agent.is_employee):
                errors.setdefault("set_assignee", []).append(ValidationError(ERR_ASSIGNEE_NOT_STAFF, code="staff"))
            else:
                target = (
                    self.set_department if self.set_department_id else (self.department if self.department_id else None)
                )
                if (
                    target is not None
                    and not agent.sees_all_departments
                    and not (
                        target.members.filter(pk=agent.pk).exists() or target.supervisors.filter(pk=agent.pk).exists()
                    )
                ):
                    errors.setdefault("set_assignee", []).append(
                        ValidationError(
                            ERR_ASSIGNEE_NOT_IN_DEPARTMENT,
                            code="agent_not_in_department",
                            params={"agent": agent.full_name, "department": target.name},
                        )
                    )
        if errors:
            raise ValidationError(errors)


class DepartmentRouting(models.Model):
    """Per-department routing settings. With round-robin on, a new ticket that is still unassigned after the rules
    goes to the next active member who is not away; `last_assigned` remembers where the rotation stands."""

    department = models.OneToOneField(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="routing"
    )
    round_robin = models.BooleanField(
        _("round-robin assignment"),
        default=False,
        help_text=_("Give new unassigned tickets to the department's members in turn, skipping those who are away."),
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("department routing")
        verbose_name_plural = _("department routing")

    def __str__(self) -> str:
        return str(self.department)


class AgentStatusQuerySet(models.QuerySet):
    def away(self, now=None):
        """Statuses that mean "away" now: flagged, with no end or an end still to come."""
        now = now or timezone.now()
        return self.filter(is_away=True).filter(models.Q(away_until__isnull=True) | models.Q(away_until__gt=now))


class AgentStatus(models.Model):
    """Whether an agent is away (leave, sick). Away agents get no round-robin tickets. `away_until` ends it by
    itself. Edited in the admin or with `automation.routing.agent_set_away`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="agent_status"
    )
    is_away = models.BooleanField(_("away"), default=False)
    away_until = models.DateTimeField(_("away until"), null=True, blank=True, help_text=_("Empty: until turned off."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgentStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("agent status")
        verbose_name_plural = _("agent statuses")

    def __str__(self) -> str:
        return str(self.user)

"""The daily roll-up of the reports (issue #12's "daily roll-up table maintained by beat"): per Tehran day and
ticket attributes (department, assignee, priority, type, channel — the ticket's current ones, so a transferred
ticket counts where it ended), the counts `selectors` would otherwise aggregate over every ticket of the range.
Built by `reports.stats` (the beat task `reports.tasks.refresh_stats`, the command `rebuild_report_stats`); days
up to `StatsState.built_through` (yesterday when current), today always from the live tables."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Department, Priority, TicketType


class DailyCounts(models.Model):
    """The counts of a day's tickets (of a department, and more in `DailyTicketStat`), as the pages sum them."""

    # Not constraints: the rows are derived (`rebuild_report_stats` rewrites them), and deleting a department or a
    # person must not cascade into them (nor make the admin's delete page list them).
    day = models.DateField(_("day"))
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # Tickets created on the day, and their first-response targets and escalations.
    created = models.PositiveIntegerField(default=0)
    fr_target = models.PositiveIntegerField(default=0)
    fr_met = models.PositiveIntegerField(default=0)
    fr_breached = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    escalated_managers = models.PositiveIntegerField(default=0)
    # Tickets resolved on the day (their latest resolution) and their resolution targets.
    resolved = models.PositiveIntegerField(default=0)
    res_target = models.PositiveIntegerField(default=0)
    res_met = models.PositiveIntegerField(default=0)
    res_breached = models.PositiveIntegerField(default=0)
    # Status changes on the day: work finished (to resolved or closed from a working status), reopened.
    finished = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}"


class DailyTicketStat(DailyCounts):
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    priority = models.ForeignKey(
        Priority,
        verbose_name=_("priority"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    type = models.ForeignKey(
        TicketType,
        verbose_name=_("type"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("daily ticket numbers")
        verbose_name_plural = _("daily ticket numbers")
        indexes = [models.Index(fields=["day"], name="stat_day")]


class DailyDepartmentStat(DailyCounts):
    """The same counts per day, department and channel only: the sums of `DailyTicketStat`'s rows, written with
    them. A range's totals, days and channels without a filter but the department or the channel read far fewer
    rows here (a few a day and department, where the fine table has about one per ticket and day at 100,000
    tickets)."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("daily department numbers")
        verbose_name_plural = _("daily department numbers")
        indexes = [models.Index(fields=["department", "day"], name="department_stat_day")]  # per department, then days


class StatsState(models.Model):
    """One row: how far the roll-up is built, and since when the timeline was last read for changed tickets."""

    built_through = models.DateField(_("built through"))
    checked_at = models.DateTimeField(_("changes read until"))

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up state")

    def __str__(self) -> str:
        return str(self.built_through)

    @classmethod
    def current_through(cls, today: dt.date) -> dt.date | None:
        """The last day the roll-up answers for when it is current (built through yesterday), else None."""
        state = cls.objects.first()
        return state.built_through if state and state.built_through >= today - dt.timedelta(days=1) else None

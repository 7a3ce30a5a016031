"""Writes for ceilings and usage: compute and store a ceiling, compute a period for everyone, record usage and warn.

Each service is keyword-only and runs in one transaction; errors are ValidationError with module-constant messages.
Increase requests live in `limits/requests.py`; CSV imports in `limits/imports.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk import audit

from .. import notices
from ..calculations import exemption_year, initial_ceiling
from ..conf import policies
from ..models import Ceiling, FigureSource, PriorPeriodFigures, Taxpayer, Usage, YearParameters
from ..periods import Period, period_starting_tomorrow
from ..selectors import YearParametersMissing, exemption_for, prior_figures_for

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

MSG_AMOUNT_POSITIVE = _("Enter a whole number of rials greater than zero.")
MSG_DUPLICATE_REFERENCE = _("Usage with this reference is already recorded for this period.")

WARNING_LEVELS = (80, 100)
# What the audit trail keeps of a year's parameters and of a recomputed ceiling.
YEAR_PARAMETERS_FIELDS = ("year", "exemption", "exemption_source", "vat_rate", "vat_rate_source")
CEILING_AUDITED_FIELDS = ("initial", "basis", "exemption", "prior_sales", "prior_vat", "prior_vat_paid")
FIGURES_AUDITED_FIELDS = ("year", "quarter", "sales", "vat_due", "vat_paid", "source", "source_note")


def _ceiling_values(*, taxpayer: Taxpayer, period: Period, actor: User | None, now: dt.datetime) -> dict:
    pol = policies()
    e_year = exemption_year(period.year, pol)
    exemption = exemption_for(e_year)
    figures = None if taxpayer.is_new_unit else prior_figures_for(taxpayer, period)
    result = initial_ceiling(
        prior_sales=figures.sales if figures else None,
        prior_vat=figures.vat_due if figures else None,
        prior_vat_paid=figures.vat_paid if figures else None,
        exemption=exemption,
        new_unit=taxpayer.is_new_unit,
        policies=pol,
    )
    return {
        "initial": result.ceiling,
        "basis": result.basis,
        "exemption": exemption,
        "exemption_year": e_year,
        "prior_sales": figures.sales if figures else None,
        "prior_vat": figures.vat_due if figures else None,
        "prior_vat_paid": figures.vat_paid if figures else None,
        "floor_tests_paid_sales": pol.floor_tests_paid_sales,
        "computed_at": now,
        "computed_by": actor,
    }


def ceiling_compute(
    *, taxpayer: Taxpayer, period: Period, actor: User | None = None, recompute: bool = False
) -> Ceiling:
    """The ceiling of `taxpayer` for `period`, computed and stored if there is none yet.

    With `recompute=True` (staff on demand) an existing ceiling's initial value and rule are computed again from the
    current figures; applied increases and usage stay. Safe to call twice: one row per taxpayer and period (unique
    constraint + get_or_create). Raises YearParametersMissing (a ValidationError naming the year).
    """
    values = _ceiling_values(taxpayer=taxpayer, period=period, actor=actor, now=timezone.now())
    with transaction.atomic():
        ceiling, created = Ceiling.objects.get_or_create(
            taxpayer=taxpayer, year=period.year, quarter=period.quarter, defaults=values
        )
        if created or not recompute:
            return ceiling
        ceiling = Ceiling.objects.select_for_update().get(pk=ceiling.pk)
        before = {name: getattr(ceiling, name) for name in CEILING_AUDITED_FIELDS}
        for name, value in values.items():
            setattr(ceiling, name, value)
        ceiling.save(update_fields=list(values))
        audit.record_change(
            audit.Action.ARTICLE6_CEILING_CHANGE,
            target=ceiling,
            actor=actor,
            before=before,
            after={name: getattr(ceiling, name) for name in CEILING_AUDITED_FIELDS},
        )
        _warn_if_due(ceiling=ceiling)
    return ceiling


def ceilings_compute_for_period(*, period: Period) -> int:
    """Compute `period`'s ceiling for every taxpayer that has none yet; returns how many were created.

    Run by the beat task the day before the period starts; running it again creates nothing new.
    """
    created = 0
    missing = Taxpayer.objects.exclude(ceilings__year=period.year, ceilings__quarter=period.quarter)
    for taxpayer in missing.order_by("pk").iterator():
        try:
            ceiling_compute(taxpayer=taxpayer, period=period)
        except YearParametersMissing as exc:
            # The same year is missing for everyone: say so once and stop.
            logger.error("Cannot compute ceilings for %s: %s", period, exc.messages[0])
            break
        created += 1
    return created


def ceilings_compute_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The ceilings due now: the day before a period starts, that period's for every taxpayer; on any day, the
    current period's that are still missing (a missed run, a new taxpayer, a year whose figures just came).
    Returns how many were created per period; safe to run twice. The daily task and a saved year both run this."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for period in filter(None, (period_starting_tomorrow(now), Period.current(now))):
        done[str(period)] = ceilings_compute_for_period(period=period)
    return done


def _save_audited(obj: models.Model, *, fields: Sequence[str], action: audit.Action, actor: User | None) -> None:
    """Save `obj` with an audit entry of what changed in `fields` (all of them for a new row). Call inside the
    transaction of the change."""
    old = type(obj)._default_manager.filter(pk=obj.pk).values(*fields).first() if obj.pk else None
    obj.save()
    after = {name: getattr(obj, name) for name in fields}
    if old is None:
        audit.record(action, target=obj, actor=actor, after=after)
    else:
        audit.record_change(action, target=obj, actor=actor, before=old, after=after)


def year_parameters_save(*, params: YearParameters, actor: User | None = None) -> YearParameters:
    """Save a year's figures (E, r and their sources) and, after commit, compute the ceilings now due
    (`limits.tasks.compute_upcoming_ceilings`), so the current period does not wait for the 01:00 run. If the
    broker cannot take the task, the daily run is the sweep that catches up. Raises ValidationError (nothing saved).
    """
    params.full_clean()
    with transaction.atomic():
        action = audit.Action.ARTICLE6_PARAMETERS_CHANGE
        _save_audited(params, fields=YEAR_PARAMETERS_FIELDS, action=action, actor=actor)
        transaction.on_commit(_queue_due_ceilings, robust=True)
    return params


def year_parameters_delete(*, params: YearParameters, actor: User | None = None) -> None:
    """Remove a year's figures (its ceilings stay as computed; new ones for that year cannot be computed)."""
    with transaction.atomic():
        audit.record(
            audit.Action.ARTICLE6_PARAMETERS_CHANGE,
            target=params,
            actor=actor,
            before={name: getattr(params, name) for name in YEAR_PARAMETERS_FIELDS},
        )
        params.delete()


def figures_save(*, figures: PriorPeriodFigures, actor: User | None = None) -> PriorPeriodFigures:
    """Save a taxpayer's prior-period figures (S, T, P), validated by the caller (the admin's forms, the CSV
    import), with an audit entry of what changed: the next ceiling of that taxpayer is computed from them."""
    with transaction.atomic():
        _save_audited(figures, fields=FIGURES_AUDITED_FIELDS, action=audit.Action.ARTICLE6_FIGURES_CHANGE, actor=actor)
    return figures


def figures_delete(*, figures: PriorPeriodFigures, actor: User | None = None) -> None:
    """Remove a taxpayer's figures of one period (ceilings computed from them stay as computed)."""
    with transaction.atomic():
        audit.record(
            audit.Action.ARTICLE6_FIGURES_CHANGE,
            target=figures,
            actor=actor,
            before={name: getattr(figures, name) for name in FIGURES_AUDITED_FIELDS},
        )
        figures.delete()


def _queue_due_ceilings() -> None:
    from ..tasks import compute_upcoming_ceilings

    compute_upcoming_ceilings.delay()


def usage_record(
    *,
    taxpayer: Taxpayer,
    period: Period,
    amount: int,
    actor: User | None = None,
    reference: str = "",
    source: str = FigureSource.ENTERED,
) -> Usage:
    """Add invoice totals to a period's usage and warn the seller at 80 % and 100 % (once per threshold)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise ValidationError({"amount": ValidationError(MSG_AMOUNT_POSITIVE, code="not_positive")})
    reference = (reference or "").strip()
    with transaction.atomic():
        ceiling = ceiling_compute(taxpayer=taxpayer, period=period, actor=actor)
        ceiling = Ceiling.objects.select_for_update().get(pk=ceiling.pk)
        if reference and ceiling.usages.filter(reference=reference).exists():
            raise ValidationError({"reference": ValidationError(MSG_DUPLICATE_REFERENCE, code="duplicate_reference")})
        usage = Usage(ceiling=ceiling, amount=amount, reference=reference, source=source, recorded_by=actor)
        usage.full_clean(exclude=["ceiling"])
        usage.save()
        Ceiling.objects.filter(pk=ceiling.pk).update(used=F("used") + amount)
        ceiling.refresh_from_db(fields=["used"])
        _warn_if_due(ceiling=ceiling)
    return usage


def _warn_if_due(*, ceiling: Ceiling) -> int | None:
    """Send the 80 % or 100 % warning if it is due and was not sent yet for this period; returns the level sent.

    Each threshold is claimed by a conditional update (`warned_…_at IS NULL`), so two workers cannot both send it.
    Reaching 100 % also marks 80 % as done: one message says the ceiling is full, not two.
    """
    total, used = ceiling.total, ceiling.used
    if used <= 0:
        return None
    now = timezone.now()
    rows = Ceiling.objects.filter(pk=ceiling.pk)
    level = None
    if used >= total:
        if rows.filter(warned_100_at__isnull=True).update(warned_100_at=now):
            level = 100
        rows.filter(warned_80_at__isnull=True).update(warned_80_at=now)
    elif used * 100 >= total * 80 and rows.filter(warned_80_at__isnull=True).update(warned_80_at=now):
        level = 80
    if level is not None:
        ceiling.refresh_from_db(fields=["warned_80_at", "warned_100_at"])
        notices.ceiling_warning(ceiling=ceiling, level=level)
    return level

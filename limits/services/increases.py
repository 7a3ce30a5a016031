"""Increase requests: filing (a ticket of the Article 6 type plus the structured request) and one service per step.

Every step is one step of the state machine (`helpdesk.statemachine`, `STATE`): it locks the request row, checks the
actor (`limits.permissions`) and the transition table (`limits.models.ALLOWED_TRANSITIONS`), refuses once the period
has ended (only expiry is possible then), validates the evidence the step needs, saves the step's fields only, records
a timeline event on the ticket and calls `notifications.outbox.notify` — all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk import audit, files
from helpdesk.l10n import format_date
from helpdesk.statemachine import Machine
from notifications import outbox
from tickets.models import Channel, TicketType
from tickets.services import ticket_create

from .. import events, permissions, text
from ..calculations import vat_on
from ..models import ALLOWED_TRANSITIONS, Ceiling, GuaranteeType, IncreaseRequest, Settlement, State, Taxpayer
from ..periods import TEHRAN, Period
from ..selectors import YearParametersMissing, year_parameters

if TYPE_CHECKING:
    from decimal import Decimal

    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

logger = logging.getLogger(__name__)

TICKET_TYPE_CODE = "article6-increase"  # created by migration 0004

MSG_NOT_SELLER = _(
    "Only the seller — the taxpayer's own account or a manager of its organisation — may request an increase."
)
MSG_NOT_ALLOWED = _("You may not do this with this request.")
MSG_PERIOD_ENDED = _(
    "The period %(period)s ended at 23:59:59 Tehran time on %(date)s; a ceiling can only be raised until the end "
    "of its period."
)
MSG_PERIOD_NOT_YET = _("An increase can be requested for the current period or the next one only.")
MSG_AMOUNT = _("Enter the extra sales you need, in rials, greater than zero.")
MSG_FORM_REQUIRED = _("Attach the signed request form.")
MSG_TRANSITION = _("A request that is “%(old)s” cannot become “%(new)s”.")
MSG_REQUIRED = _("This step needs this information.")
MSG_PAYMENT_ID = _("Enter the payment ID issued for the VAT.")
MSG_NEEDS_ANNOUNCEMENT = _(
    "Without the exact amount announced by the provincial office to the regulation centre, the increase cannot be "
    "applied."
)
MSG_ANNOUNCED_RANGE = _("The announced amount must be more than zero and at most the requested %(amount)s rials.")
MSG_DATE_IN_FUTURE = _("The date cannot be in the future.")
MSG_GUARANTEE_TOO_LOW = _("The guarantee must cover the VAT on the extra sales (%(vat)s rials).")
MSG_GUARANTEE_EXPIRED = _("The guarantee has already expired.")
MSG_NOT_ENDED = _("The period has not ended yet.")
MSG_NO_TICKET_TYPE = _("The Article 6 ticket type is missing; ask an administrator to restore it.")


class LimitsError(ValidationError):
    """A refused action on an increase request (a ValidationError, so forms can show it)."""


class LimitsPermissionError(LimitsError):
    """The actor may not do this (views never offer it; a view treats it as 404)."""


# The state machine of a request (docs/article6.md, "Steps"): the table is `limits.models.ALLOWED_TRANSITIONS`; every
# step below goes through `_step`.
STATE = Machine(
    model=IncreaseRequest,
    field="state",
    transitions=ALLOWED_TRANSITIONS,
    choices=State,
    error=LimitsError,
    message=MSG_TRANSITION,
    forbidden=lambda request: LimitsPermissionError(MSG_NOT_ALLOWED, code="not_allowed"),
)


def _ended_error(period: Period) -> LimitsError:
    return LimitsError(
        MSG_PERIOD_ENDED,
        code="period_ended",
        params={
            "period": text.period_text(period),
            "date": format_date(period.last_day.togregorian()),
        },
    )


def article6_ticket_type() -> TicketType:
    ticket_type = TicketType.objects.select_related("default_department").filter(code=TICKET_TYPE_CODE).first()
    if ticket_type is None or ticket_type.default_department is None:
        raise LimitsError(MSG_NO_TICKET_TYPE, code="no_ticket_type")
    return ticket_type


# --- filing -------------------------------------------------------------------------------------


def _request_body(
    *, taxpayer: Taxpayer, period: Period, amount: int, rate_percent: Decimal, vat: int, description: str
) -> str:
    lines = [
        gettext("Taxpayer: %(name)s (economic code %(code)s)")
        % {"name": taxpayer.name, "code": taxpayer.economic_code},
        gettext("Period: %(period)s") % {"period": text.period_text(period)},
        gettext("Requested extra sales: %(amount)s rials") % {"amount": text.rials(amount)},
        gettext("VAT on it at %(rate)s%%: %(vat)s rials")
        % {"rate": text.percent(rate_percent), "vat": text.rials(vat)},
    ]
    body = "\n".join(f"- {line}" for line in lines)
    description = (description or "").strip()
    return f"{body}\n\n{description}" if description else body


def increase_request_file(
    *,
    taxpayer: Taxpayer,
    period: Period,
    amount: int,
    signed_form: UploadedFile | None,
    filed_by: User,
    description: str = "",
) -> IncreaseRequest:
    """File a request to raise `period`'s ceiling by `amount` rials. The seller only; the signed form attached
    (validated by the tickets upload rules); refused once the period has ended (00:00 Tehran after its last day)."""
    if not permissions.can_file(filed_by, taxpayer):
        raise LimitsPermissionError(MSG_NOT_SELLER, code="not_seller")
    now = timezone.now()
    if period.has_ended(now):
        raise _ended_error(period)
    if period > Period.current(now).next():
        raise LimitsError(MSG_PERIOD_NOT_YET, code="period_not_yet")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise LimitsError({"amount": ValidationError(MSG_AMOUNT, code="not_positive")})
    if not signed_form:
        raise LimitsError({"signed_form": ValidationError(MSG_FORM_REQUIRED, code="required")})
    params = year_parameters(period.year)
    if params.vat_rate is None:
        raise YearParametersMissing(period.year, "vat_rate")
    vat = vat_on(amount, params.rate)
    ticket_type = article6_ticket_type()

    with files.atomic():  # the signed form's file goes if anything after ticket_create rolls the request back
        ticket = ticket_create(
            requester=filed_by,
            department=ticket_type.default_department,
            type=ticket_type,
            subject=gettext("Article 6 ceiling increase: %(name)s, %(period)s")
            % {"name": taxpayer.name, "period": text.period_text(period)},
            body=_request_body(
                taxpayer=taxpayer,
                period=period,
                amount=amount,
                rate_percent=params.vat_rate,
                vat=vat,
                description=description,
            ),
            channel=Channel.WEB,
            attachments=[signed_form],
            created_by=filed_by,
        )
        request = IncreaseRequest.objects.create(
            ticket=ticket,
            taxpayer=taxpayer,
            year=period.year,
            quarter=period.quarter,
            amount=amount,
            vat_rate=params.vat_rate,
            vat=vat,
            period_ends_at=period.ends_at,
            filed_by=filed_by,
        )
        _record(request, events.SUBMITTED, actor=filed_by, data={"amount": amount, "vat": vat})
    return request


# --- steps --------------------------------------------------------------------------------------


def _record(request: IncreaseRequest, kind: str, *, actor: User | None, data: dict) -> None:
    payload = {"request": request.pk, "year": request.year, "quarter": request.quarter, **data}
    event = events.record_event(ticket=request.ticket, kind=kind, actor=actor, data=payload)
    outbox.notify(event)


class Change(NamedTuple):
    """What a step's `prepare` decided: the fields to set on the request and the event's data."""

    fields: dict[str, object]
    data: dict


def _step(
    request: IncreaseRequest,
    to: str,
    *,
    actor: User | None,
    allowed: Callable[[User | None, IncreaseRequest], bool],
    prepare: Callable[[IncreaseRequest], Change] | None = None,
    now: dt.datetime | None = None,
) -> IncreaseRequest:
    """Move a request to `to` through the state machine (`STATE`): lock, `allowed(actor, locked)`, the transition
    table, the period's end (only expiry is possible after it), then `prepare(locked)` validates and returns the
    step's fields and event data. Raises LimitsError / LimitsPermissionError; nothing is written then."""
    now = now or timezone.now()
    data: dict = {}

    def change(locked: IncreaseRequest) -> Iterable[str]:
        if to != State.EXPIRED and now >= locked.period_ends_at:
            raise _ended_error(locked.period)
        step = prepare(locked) if prepare else Change(fields={}, data={})
        for name, value in step.fields.items():
            setattr(locked, name, value)
        data.update(step.data)
        return step.fields

    def record(locked: IncreaseRequest, old: str) -> None:
        _record(locked, events.KIND_FOR_STATE[to], actor=actor, data={"from": old, **data})

    with transaction.atomic():
        locked, _ = STATE.step(request.pk, to, actor=actor, allowed=allowed, change=change, record=record)
    return locked


def _require(errors: dict, **fields: object) -> None:
    for name, value in fields.items():
        if value in (None, ""):
            errors.setdefault(name, []).append(ValidationError(MSG_REQUIRED, code="required"))


def _raise(errors: dict) -> None:
    if errors:
        raise LimitsError(errors)


def increase_request_review(*, request: IncreaseRequest, actor: User) -> IncreaseRequest:
    """submitted → under_review (staff picks it up), or awaiting_prior_debt → under_review (debt settled)."""
    return _step(request, State.UNDER_REVIEW, actor=actor, allowed=permissions.can_handle)


def increase_request_require_prior_debt(*, request: IncreaseRequest, actor: User, note: str) -> IncreaseRequest:
    """under_review → awaiting_prior_debt (ب): the prior-period tax must be paid or arranged first."""
    note = (note or "").strip()

    def prepare(locked: IncreaseRequest) -> Change:
        errors: dict = {}
        _require(errors, note=note)
        _raise(errors)
        return Change(fields={"prior_debt_note": note}, data={"note": note})

    return _step(request, State.AWAITING_PRIOR_DEBT, actor=actor, allowed=permissions.can_handle, prepare=prepare)


def increase_request_request_settlement(
    *, request: IncreaseRequest, actor: User, method: str, payment_id: str = ""
) -> IncreaseRequest:
    """under_review → awaiting_settlement (ج): the VAT on X is to be paid (a payment ID is issued), arranged or
    guaranteed."""
    payment_id = (payment_id or "").strip()

    def prepare(locked: IncreaseRequest) -> Change:
        errors: dict = {}
        if method not in Settlement.values:
            errors["method"] = [ValidationError(MSG_REQUIRED, code="required")]
        elif method == Settlement.PAYMENT and not payment_id:
            errors["payment_id"] = [ValidationError(MSG_PAYMENT_ID, code="required")]
        _raise(errors)
        issued = payment_id if method == Settlement.PAYMENT else ""
        return Change(
            fields={"settlement_method": method, "payment_id": issued},
            data={"method": method, "payment_id": issued, "vat": locked.vat},
        )

    return _step(request, State.AWAITING_SETTLEMENT, actor=actor, allowed=permissions.can_handle, prepare=prepare)


def increase_request_settle(
    *,
    request: IncreaseRequest,
    actor: User,
    payment_reference: str = "",
    arrangement_decision: str = "",
    guarantee_type: str = "",
    guarantee_amount: int | None = None,
    guarantee_issuer: str = "",
    guarantee_expiry: dt.date | None = None,
) -> IncreaseRequest:
    """awaiting_settlement → settled: the evidence of the chosen method (payment reference / arrangement decision /
    guarantee type, amount ≥ the VAT, issuer, expiry not past)."""
    now = timezone.now()

    def prepare(locked: IncreaseRequest) -> Change:
        errors: dict = {}
        method = locked.settlement_method
        if method == Settlement.PAYMENT:
            _require(errors, payment_reference=(payment_reference or "").strip())
            data: dict[str, object] = {"payment_reference": payment_reference.strip()}
        elif method == Settlement.ARRANGEMENT:
            _require(errors, arrangement_decision=(arrangement_decision or "").strip())
            data = {"arrangement_decision": arrangement_decision.strip()}
        else:
            _require(
                errors,
                guarantee_type=guarantee_type if guarantee_type in GuaranteeType.values else "",
                guarantee_amount=guarantee_amount,
                guarantee_issuer=(guarantee_issuer or "").strip(),
                guarantee_expiry=guarantee_expiry,
            )
            if guarantee_amount is not None and guarantee_amount < locked.vat:
                errors.setdefault("guarantee_amount", []).append(
                    ValidationError(
                        MSG_GUARANTEE_TOO_LOW, code="guarantee_too_low", params={"vat": text.rials(locked.vat)}
                    )
                )
            if guarantee_expiry is not None and guarantee_expiry < now.astimezone(TEHRAN).date():
                errors.setdefault("guarantee_expiry", []).append(
                    ValidationError(MSG_GUARANTEE_EXPIRED, code="guarantee_expired")
                )
            data = {
                "guarantee_type": guarantee_type,
                "guarantee_amount": guarantee_amount,
                "guarantee_issuer": (guarantee_issuer or "").strip(),
                "guarantee_expiry": guarantee_expiry.isoformat() if guarantee_expiry else None,
            }
        _raise(errors)
        fields = {**data, "settled_at": now}
        if "guarantee_expiry" in data:
            fields["guarantee_expiry"] = guarantee_expiry
        return Change(fields=fields, data={"method": method, **data})

    return _step(request, State.SETTLED, actor=actor, allowed=permissions.can_handle, prepare=prepare, now=now)


def increase_request_announce(
    *,
    request: IncreaseRequest,
    actor: User,
    letter_number: str,
    letter_date: dt.date | None,
    announced_amount: int | None,
) -> IncreaseRequest:
    """settled → announced (د): the provincial office's letter to the regulation centre with the exact amount."""
    now = timezone.now()
    letter_number = (letter_number or "").strip()

    def prepare(locked: IncreaseRequest) -> Change:
        errors: dict = {}
        _require(errors, letter_number=letter_number, letter_date=letter_date, announced_amount=announced_amount)
        if announced_amount is not None and not 1 <= announced_amount <= locked.amount:
            errors.setdefault("announced_amount", []).append(
                ValidationError(
                    MSG_ANNOUNCED_RANGE, code="announced_range", params={"amount": text.rials(locked.amount)}
                )
            )
        if letter_date is not None and letter_date > now.astimezone(TEHRAN).date():
            errors.setdefault("letter_date", []).append(ValidationError(MSG_DATE_IN_FUTURE, code="date_in_future"))
        _raise(errors)
        assert letter_date is not None  # _require refused a missing date
        return Change(
            fields={
                "letter_number": letter_number,
                "letter_date": letter_date,
                "announced_amount": announced_amount,
                "announced_at": now,
            },
            data={
                "letter_number": letter_number,
                "letter_date": letter_date.isoformat(),
                "announced_amount": announced_amount,
            },
        )

    return _step(request, State.ANNOUNCED, actor=actor, allowed=permissions.can_handle, prepare=prepare, now=now)


def increase_request_apply(*, request: IncreaseRequest, actor: User) -> IncreaseRequest:
    """announced → applied: the period's ceiling becomes C + Σ applied amounts (the announced exact amount)."""
    from .ceilings import ceiling_compute

    now = timezone.now()

    def prepare(locked: IncreaseRequest) -> Change:
        if locked.announced_amount is None:
            raise LimitsError(MSG_NEEDS_ANNOUNCEMENT, code="not_announced")
        ceiling = ceiling_compute(taxpayer=locked.taxpayer, period=locked.period, actor=actor)
        Ceiling.objects.filter(pk=ceiling.pk).update(increases=F("increases") + locked.announced_amount)
        ceiling.refresh_from_db(fields=["increases"])
        audit.record(
            audit.Action.ARTICLE6_CEILING_CHANGE,
            target=ceiling,
            actor=actor,
            before={"increases": ceiling.increases - locked.announced_amount},
            after={"increases": ceiling.increases, "increase_request": locked.pk},
        )
        return Change(
            fields={"applied_at": now},
            data={"applied_amount": locked.announced_amount, "ceiling_total": ceiling.total},
        )

    return _step(request, State.APPLIED, actor=actor, allowed=permissions.can_handle, prepare=prepare, now=now)


def increase_request_reject(*, request: IncreaseRequest, actor: User, reason: str) -> IncreaseRequest:
    reason = (reason or "").strip()
    now = timezone.now()

    def prepare(locked: IncreaseRequest) -> Change:
        errors: dict = {}
        _require(errors, reason=reason)
        _raise(errors)
        return Change(fields={"close_reason": reason, "closed_at": now}, data={"reason": reason})

    return _step(request, State.REJECTED, actor=actor, allowed=permissions.can_handle, prepare=prepare, now=now)


def increase_request_withdraw(*, request: IncreaseRequest, actor: User) -> IncreaseRequest:
    """By the seller, while the request is open and the period has not ended."""
    now = timezone.now()

    def prepare(locked: IncreaseRequest) -> Change:
        return Change(fields={"closed_at": now}, data={})

    return _step(request, State.WITHDRAWN, actor=actor, allowed=permissions.can_withdraw, prepare=prepare, now=now)


def increase_request_expire(*, request: IncreaseRequest, now: dt.datetime | None = None) -> IncreaseRequest:
    """By the system once the period has ended (00:00 Tehran after its last day)."""
    now = now or timezone.now()

    def prepare(locked: IncreaseRequest) -> Change:
        if now < locked.period_ends_at:
            raise LimitsError(MSG_NOT_ENDED, code="not_ended")
        return Change(fields={"closed_at": now}, data={})

    return _step(request, State.EXPIRED, actor=None, allowed=permissions.can_expire, prepare=prepare, now=now)


def increase_requests_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every open request whose period has ended; each in its own transaction. Safe to run twice."""
    now = now or timezone.now()
    expired = 0
    due = IncreaseRequest.objects.open().filter(period_ends_at__lte=now).order_by("period_ends_at", "pk")
    for request in due.only("pk").iterator():
        try:
            increase_request_expire(request=request, now=now)
        except LimitsError as exc:  # changed meanwhile (e.g. withdrawn a moment before): leave it
            logger.info("Request %s not expired: %s", request.pk, exc.messages)
            continue
        expired += 1
    return expired

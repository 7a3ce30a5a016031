"""The limits app's ticket timeline events: one kind per step of an increase request, plus the usage warning.

Registered with `tickets.events` from `LimitsConfig.ready()`. `data` keeps the figures as they were (amounts are
ints, dates ISO strings) so the timeline renders without joins and stays true later.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import format_date
from tickets import events
from tickets.events import actor_name

from . import text
from .models import GuaranteeType, Settlement, State
from .periods import Period

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketEvent

SUBMITTED = "limits_submitted"
UNDER_REVIEW = "limits_under_review"
PRIOR_DEBT = "limits_prior_debt"
AWAITING_SETTLEMENT = "limits_awaiting_settlement"
SETTLED = "limits_settled"
ANNOUNCED = "limits_announced"
APPLIED = "limits_applied"
REJECTED = "limits_rejected"
WITHDRAWN = "limits_withdrawn"
EXPIRED = "limits_expired"
CEILING_WARNING = "limits_ceiling_warning"

KIND_FOR_STATE: dict[str, str] = {
    State.SUBMITTED: SUBMITTED,
    State.UNDER_REVIEW: UNDER_REVIEW,
    State.AWAITING_PRIOR_DEBT: PRIOR_DEBT,
    State.AWAITING_SETTLEMENT: AWAITING_SETTLEMENT,
    State.SETTLED: SETTLED,
    State.ANNOUNCED: ANNOUNCED,
    State.APPLIED: APPLIED,
    State.REJECTED: REJECTED,
    State.WITHDRAWN: WITHDRAWN,
    State.EXPIRED: EXPIRED,
}


def _amount(value) -> str:
    return text.rials(value)


def _period(data: dict) -> str:
    try:
        return text.period_text(Period(int(data["year"]), int(data["quarter"])))
    except (KeyError, TypeError, ValueError):
        return "?"


def _date(value: str | None) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else "?"


def _choice_label(choices, value: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def _submitted(e) -> str:
    return gettext(
        "%(actor)s asked to raise the sales ceiling of %(period)s by %(amount)s rials; the VAT on it is %(vat)s rials."
    ) % {
        "actor": actor_name(e),
        "period": _period(e.data),
        "amount": _amount(e.data.get("amount")),
        "vat": _amount(e.data.get("vat")),
    }


def _under_review(e) -> str:
    if e.data.get("from") == State.AWAITING_PRIOR_DEBT:
        return gettext(
            "%(actor)s recorded that the prior-period tax debt is paid or arranged; the review continues."
        ) % {"actor": actor_name(e)}
    return gettext("%(actor)s started reviewing the increase request.") % {"actor": actor_name(e)}


def _prior_debt(e) -> str:
    return gettext(
        "%(actor)s found VAT of the same period last year still unpaid: it must be paid or arranged before the "
        "increase. %(note)s"
    ) % {"actor": actor_name(e), "note": e.data.get("note", "")}


def _awaiting_settlement(e) -> str:
    text = gettext("%(actor)s asked for the VAT on the extra sales (%(vat)s rials) to be settled by: %(method)s.") % {
        "actor": actor_name(e),
        "vat": _amount(e.data.get("vat")),
        "method": _choice_label(Settlement, e.data.get("method")),
    }
    if e.data.get("payment_id"):
        text += " " + gettext("Payment ID: %(payment_id)s") % {"payment_id": e.data["payment_id"]}
    return text


def _settled(e) -> str:
    method = e.data.get("method")
    if method == Settlement.PAYMENT:
        evidence = gettext("paid, reference %(ref)s") % {"ref": e.data.get("payment_reference", "")}
    elif method == Settlement.ARRANGEMENT:
        evidence = gettext("payment arranged, decision %(decision)s") % {
            "decision": e.data.get("arrangement_decision", "")
        }
    else:
        evidence = gettext("%(type)s of %(amount)s rials issued by %(issuer)s, valid until %(expiry)s") % {
            "type": _choice_label(GuaranteeType, e.data.get("guarantee_type")),
            "amount": _amount(e.data.get("guarantee_amount")),
            "issuer": e.data.get("guarantee_issuer", ""),
            "expiry": _date(e.data.get("guarantee_expiry")),
        }
    return gettext("%(actor)s recorded the settlement of the VAT: %(evidence)s.") % {
        "actor": actor_name(e),
        "evidence": evidence,
    }


def _announced(e) -> str:
    return gettext(
        "%(actor)s recorded the provincial office's letter no. %(number)s of %(date)s announcing %(amount)s rials "
        "to the regulation centre."
    ) % {
        "actor": actor_name(e),
        "number": e.data.get("letter_number", ""),
        "date": _date(e.data.get("letter_date")),
        "amount": _amount(e.data.get("announced_amount")),
    }


def _applied(e) -> str:
    return gettext(
        "%(actor)s applied the increase of %(amount)s rials: the ceiling of %(period)s is now %(total)s rials."
    ) % {
        "actor": actor_name(e),
        "amount": _amount(e.data.get("applied_amount")),
        "period": _period(e.data),
        "total": _amount(e.data.get("ceiling_total")),
    }


def _rejected(e) -> str:
    return gettext("%(actor)s rejected the increase request. Reason: %(reason)s") % {
        "actor": actor_name(e),
        "reason": e.data.get("reason", ""),
    }


def _withdrawn(e) -> str:
    return gettext("%(actor)s withdrew the increase request.") % {"actor": actor_name(e)}


def _expired(e) -> str:
    return gettext(
        "The increase request expired: the period %(period)s ended, and a ceiling can only be raised until the end "
        "of its period."
    ) % {"period": _period(e.data)}


def _warning(e) -> str:
    values = {
        "taxpayer": e.data.get("taxpayer", ""),
        "period": _period(e.data),
        "used": _amount(e.data.get("used")),
        "total": _amount(e.data.get("total")),
    }
    if int(e.data.get("level", 0)) >= 100:
        return (
            gettext(
                "Sales ceiling full: %(taxpayer)s has issued %(used)s rials of invoices in %(period)s, reaching its "
                "ceiling of %(total)s rials. Invoices above the ceiling give the buyer no tax credit; "
                "request an increase."
            )
            % values
        )
    return (
        gettext(
            "Sales ceiling warning: %(taxpayer)s has used 80%% of its ceiling for %(period)s (%(used)s of %(total)s "
            "rials)."
        )
        % values
    )


def record_event(*, ticket: Ticket, kind: str, actor: User | None, data: dict) -> TicketEvent:
    """Write one of our events on the ticket's timeline (call inside the service's transaction, then notify)."""
    return events.record(ticket=ticket, kind=kind, actor=actor, data=data)


def register() -> None:
    """Add the kinds to the tickets registry (all public: the seller follows each step)."""
    kinds = [
        (SUBMITTED, _("Increase requested"), _submitted),
        (UNDER_REVIEW, _("Increase request under review"), _under_review),
        (PRIOR_DEBT, _("Prior-period debt to settle"), _prior_debt),
        (AWAITING_SETTLEMENT, _("VAT on the increase to settle"), _awaiting_settlement),
        (SETTLED, _("VAT on the increase settled"), _settled),
        (ANNOUNCED, _("Increase announced to the regulation centre"), _announced),
        (APPLIED, _("Increase applied"), _applied),
        (REJECTED, _("Increase request rejected"), _rejected),
        (WITHDRAWN, _("Increase request withdrawn"), _withdrawn),
        (EXPIRED, _("Increase request expired"), _expired),
        (CEILING_WARNING, _("Sales ceiling warning"), _warning),
    ]
    for kind, label, describe in kinds:
        events.register(kind, label=label, describe=describe, public=True)

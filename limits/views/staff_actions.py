"""The steps a user may take on an increase request: one entry per action (form, service, target state)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .. import permissions, services
from ..forms import (
    AnnounceForm,
    EmptyForm,
    PriorDebtForm,
    RejectForm,
    SettleForm,
    SettlementRequestForm,
)
from ..models import IncreaseRequest, State

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrPromise

    from accounts.models import User


@dataclass(frozen=True)
class Action:
    name: str
    label: StrPromise
    target: State
    form: type
    run: Callable  # (request=, actor=, **cleaned_data) -> IncreaseRequest
    staff: bool = True
    style: str = "primary"

    def make_form(self, increase: IncreaseRequest, data=None):
        kwargs = {"method": increase.settlement_method} if self.form is SettleForm else {}
        return self.form(data, prefix=self.name, **kwargs)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("review", _("Start the review"), State.UNDER_REVIEW, EmptyForm, services.increase_request_review),
        Action(
            "prior_debt",
            _("Prior-period tax is unpaid"),
            State.AWAITING_PRIOR_DEBT,
            PriorDebtForm,
            services.increase_request_require_prior_debt,
            style="warning",
        ),
        Action(
            "settlement",
            _("Ask for the VAT on the increase"),
            State.AWAITING_SETTLEMENT,
            SettlementRequestForm,
            services.increase_request_request_settlement,
        ),
        Action("settle", _("Record the settlement"), State.SETTLED, SettleForm, services.increase_request_settle),
        Action(
            "announce",
            _("Record the provincial office's letter"),
            State.ANNOUNCED,
            AnnounceForm,
            services.increase_request_announce,
        ),
        Action(
            "apply",
            _("Apply the increase to the ceiling"),
            State.APPLIED,
            EmptyForm,
            services.increase_request_apply,
            style="success",
        ),
        Action("reject", _("Reject"), State.REJECTED, RejectForm, services.increase_request_reject, style="danger"),
        Action(
            "withdraw",
            _("Withdraw my request"),
            State.WITHDRAWN,
            EmptyForm,
            services.increase_request_withdraw,
            staff=False,
            style="outline-danger",
        ),
    )
}


def may_take(
    user: User | AnonymousUser, increase: IncreaseRequest, action: Action, *, roles: dict | None = None
) -> bool:
    """`roles` caches the two permission answers when several actions are checked for one page."""
    if not increase.can_transition_to(action.target) or increase.period.has_ended():
        return False
    roles = roles if roles is not None else {}
    key = "staff" if action.staff else "seller"
    if key not in roles:
        check = permissions.can_handle if action.staff else permissions.can_withdraw
        roles[key] = check(user, increase)
    return roles[key]


def action_forms(user: User | AnonymousUser, increase: IncreaseRequest, *, bound: dict) -> list[dict]:
    """The actions `user` may take now, each with its (possibly bound, with errors) form."""
    roles: dict[str, bool]
    offered, roles = [], {}
    for action in ACTIONS.values():
        if not may_take(user, increase, action, roles=roles):
            continue
        form = bound.get(action.name) or action.make_form(increase)
        if action.name == "review" and increase.state == State.AWAITING_PRIOR_DEBT:
            label = _("The prior-period debt is settled: continue the review")
        else:
            label = action.label
        offered.append({"name": action.name, "label": label, "form": form, "style": action.style})
    return offered

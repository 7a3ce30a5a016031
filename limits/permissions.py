"""Who may see and do what in the limits app — the one policy module. Views ask it; services re-check it.

The seller (docs/article6.md: "only the seller may file; a buyer may not"):
- a taxpayer owned by a customer account: that account;
- a taxpayer owned by an organisation: the organisation's members whose role in it is *manager* (the people who
  sign for the company). Ordinary members and every other customer are not the seller: for them the taxpayer and
  its requests do not exist (404).

Staff (agent and up) see every taxpayer and ceiling (reference data). They see the increase requests whose tickets
the tickets policy lets them see (members and supervisors of the Article 6 department, managers, admins), and a
supervisor also sees those the agents of the departments they supervise see (`tickets.permissions.team_tickets`).
They handle (take the steps of) those whose tickets they may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.db.models import Exists, OuterRef, Q, QuerySet

from tickets import permissions as ticket_permissions

from .models import IncreaseRequest, Taxpayer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def _active(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_staff(user: User | AnonymousUser | None) -> TypeGuard[User]:
    return ticket_permissions.is_staff_user(user)


def seller_taxpayers(user: User | AnonymousUser | None) -> QuerySet[Taxpayer]:
    """The taxpayers `user` sells for (and may file increase requests for)."""
    if not _active(user) or not user.is_customer:
        return Taxpayer.objects.none()
    return Taxpayer.objects.owned_by(user)


def visible_taxpayers(user: User | AnonymousUser | None) -> QuerySet[Taxpayer]:
    if is_staff(user):
        return Taxpayer.objects.all()
    return seller_taxpayers(user)


def can_file(user: User | AnonymousUser | None, taxpayer: Taxpayer) -> bool:
    return seller_taxpayers(user).filter(pk=taxpayer.pk).exists()


def visible_requests(user: User | AnonymousUser | None) -> QuerySet[IncreaseRequest]:
    """The requests `user` may open, each with `ticket_visible`: whether they may also open its ticket (a supervisor
    who sees a request through their team, or an organisation's manager who did not file it, may not)."""
    if is_staff(user):
        tickets = ticket_permissions.visible_tickets(user).values("pk")
        team = ticket_permissions.team_tickets(user).values("pk")
        requests = IncreaseRequest.objects.filter(Q(ticket__in=tickets) | Q(ticket__in=team))
    else:
        requests = IncreaseRequest.objects.filter(taxpayer__in=seller_taxpayers(user))
    return requests.annotate(
        ticket_visible=Exists(ticket_permissions.visible_tickets(user).filter(pk=OuterRef("ticket_id")))
    )


def can_handle(user: User | AnonymousUser | None, request: IncreaseRequest) -> bool:
    """Staff steps (review, settlement, announcement, apply, reject): staff who may change the ticket's status."""
    return is_staff(user) and ticket_permissions.can_change_status(user, request.ticket)


def can_withdraw(user: User | AnonymousUser | None, request: IncreaseRequest) -> bool:
    return can_file(user, request.taxpayer)


def can_open_year_parameters(user: User | AnonymousUser | None) -> bool:
    """The admin's «پارامترهای سال» (the staff banner links there for those who may open it)."""
    return _active(user) and user.is_staff and user.has_perm("limits.view_yearparameters")


def can_manage_figures(user: User | AnonymousUser | None) -> bool:
    """Recompute ceilings, record usage, import figures: staff."""
    return is_staff(user)


def can_expire(user: User | AnonymousUser | None, request: IncreaseRequest) -> bool:
    """Only the system (no user) expires a request, once its period has ended."""
    return user is None

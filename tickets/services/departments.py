"""Who works in which department (F16): a staff member's departments and the ones they supervise."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from helpdesk import audit

from ..models import Department
from .errors import ERR_DEPARTMENTS_NOT_ALLOWED, ERR_DEPARTMENTS_NOT_STAFF, TicketError, TicketPermissionError

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("tickets")


def employee_set_departments(
    *, user: User, member_of: Iterable[Department], supervises: Iterable[Department], actor: User | None
) -> None:
    """Make `user` a member of exactly `member_of` and a supervisor of exactly `supervises` (the Employees admin
    page). Only staff work in departments; `actor` (None: the system) needs the right to change departments."""
    member_of, supervises = list(member_of), list(supervises)
    if actor is not None and not actor.has_perm("tickets.change_department"):
        raise TicketPermissionError(ERR_DEPARTMENTS_NOT_ALLOWED, code="departments_not_allowed")
    if (member_of or supervises) and not (user.is_employee or user.is_superuser):
        raise TicketError(ERR_DEPARTMENTS_NOT_STAFF, code="departments_not_staff")
    with transaction.atomic():
        before = _departments_of(user)
        user.departments.set(member_of)
        user.supervised_departments.set(supervises)
        audit.record_change(
            audit.Action.DEPARTMENTS_CHANGE, target=user, actor=actor, before=before, after=_departments_of(user)
        )
    logger.info(
        "user %s works in departments %s, supervises %s (by %s)",
        user.pk,
        sorted(d.pk for d in member_of),
        sorted(d.pk for d in supervises),
        getattr(actor, "pk", None),
    )


def department_set_people(
    *, department: Department, members: Iterable[User], supervisors: Iterable[User], actor: User | None
) -> None:
    """Make exactly `members` work in `department` and `supervisors` supervise it (the department's admin page).
    Only staff work in departments; `actor` (None: the system) needs the right to change departments."""
    members, supervisors = list(members), list(supervisors)
    if actor is not None and not actor.has_perm("tickets.change_department"):
        raise TicketPermissionError(ERR_DEPARTMENTS_NOT_ALLOWED, code="departments_not_allowed")
    if any(not (person.is_employee or person.is_superuser) for person in (*members, *supervisors)):
        raise TicketError(ERR_DEPARTMENTS_NOT_STAFF, code="departments_not_staff")
    with transaction.atomic():
        before = _people_of(department)
        department.members.set(members)
        department.supervisors.set(supervisors)
        audit.record_change(
            audit.Action.DEPARTMENTS_CHANGE, target=department, actor=actor, before=before, after=_people_of(department)
        )
    logger.info("department %s: people set (by %s)", department.pk, getattr(actor, "pk", None))


def _departments_of(user: User) -> dict[str, list[str]]:
    return {
        "member_of": sorted(d.name for d in user.departments.all()),
        "supervises": sorted(d.name for d in user.supervised_departments.all()),
    }


def _people_of(department: Department) -> dict[str, list[str]]:
    return {
        "members": sorted(str(u) for u in department.members.all()),
        "supervisors": sorted(str(u) for u in department.supervisors.all()),
    }

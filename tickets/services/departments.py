"""Who works in which department (F16): a staff member's departments and the ones they supervise."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from accounts.models import User

from ..models import Department
from .errors import ERR_DEPARTMENTS_NOT_ALLOWED, ERR_DEPARTMENTS_NOT_STAFF, TicketError, TicketPermissionError

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
        user.departments.set(member_of)
        user.supervised_departments.set(supervises)
    logger.info(
        "user %s works in departments %s, supervises %s (by %s)",
        user.pk,
        sorted(d.pk for d in member_of),
        sorted(d.pk for d in supervises),
        getattr(actor, "pk", None),
    )

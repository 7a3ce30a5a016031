"""Who sees which numbers — the one policy module of the reports. Every page, chart, list and export starts from
`report_scope(user)`; anyone without a scope gets a 404.

- managers, admins and superusers: every department;
- supervisors: the departments they supervise (a supervisor of none sees their own numbers, like an agent);
- agents: "my performance": the tickets assigned to them and their own replies;
- customers and visitors: nothing (404).

Merged tickets (closed into another one) are duplicates and count nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from accounts.models import STAFF_ROLES, Role, User
from knowledgebase.models import SearchStat
from limits.models import IncreaseRequest
from tickets import permissions as ticket_permissions
from tickets.models import Department, Message, SatisfactionRating, Ticket, TicketEvent

from .models import DailyDepartmentStat, DailyTicketStat

ALL = "all"
DEPARTMENTS = "departments"
AGENT = "agent"


@dataclass(frozen=True)
class Scope:
    user: User
    level: str
    department_ids: tuple[int, ...] = ()

    @property
    def is_agent(self) -> bool:
        return self.level == AGENT

    @property
    def sees_knowledge_base(self) -> bool:
        """The knowledge base's figures belong to no department: managers and supervisors."""
        return self.level in (ALL, DEPARTMENTS)

    def ticket_q(self, prefix: str = "") -> Q:
        """The scope as a condition on tickets, or (with `prefix="ticket__"`) on rows that point at one: a join,
        never a list of ticket ids."""
        return Q(**{f"{prefix}merged_into__isnull": True}) & self._who_q(prefix)

    def _who_q(self, prefix: str = "") -> Q:
        """Whose tickets: a supervisor's departments, an agent's own, everyone's."""
        if self.level == DEPARTMENTS:
            return Q(**{f"{prefix}department_id__in": self.department_ids})
        if self.level == AGENT:
            return Q(**{f"{prefix}assignee": self.user})
        return Q()

    def tickets(self) -> QuerySet[Ticket]:
        return Ticket.objects.filter(self.ticket_q())

    def replies(self) -> QuerySet[Message]:
        """Public staff replies: on a supervisor's departments' tickets; for an agent, their own wherever they
        wrote them; for a manager, all. Wherever they are now: a merge moves the duplicate's messages to the
        ticket it joins, so no reply is on a merged ticket, and only a supervisor's scope joins the tickets."""
        qs = Message.objects.filter(is_internal=False, author__role__in=STAFF_ROLES)
        if self.level == AGENT:
            return qs.filter(author=self.user)
        return qs.filter(self._who_q("ticket__"))

    def ratings(self) -> QuerySet[SatisfactionRating]:
        return SatisfactionRating.objects.filter(self.ticket_q("ticket__"))

    def events(self) -> QuerySet[TicketEvent]:
        return TicketEvent.objects.filter(self.ticket_q("ticket__"))

    def increase_requests(self) -> QuerySet[IncreaseRequest]:
        return IncreaseRequest.objects.filter(self.ticket_q("ticket__"))

    def search_stats(self) -> QuerySet[SearchStat]:
        return SearchStat.objects.all() if self.sees_knowledge_base else SearchStat.objects.none()

    def stats(self, *, per_department: bool = False) -> QuerySet[DailyTicketStat] | QuerySet[DailyDepartmentStat]:
        """The daily roll-up's rows of the scope's tickets (merged tickets are not in it), or with `per_department`
        their sums per day, department and channel (not for an agent's scope: their own tickets)."""
        model = DailyDepartmentStat if per_department else DailyTicketStat
        return model.objects.filter(self._who_q())

    def departments(self) -> QuerySet[Department]:
        qs = Department.objects.order_by("name")
        if self.level == DEPARTMENTS:
            return qs.filter(pk__in=self.department_ids)
        return qs if self.level == ALL else qs.none()


def report_scope(user: User | AnonymousUser) -> Scope | None:
    """What `user` may see in the reports, or None (a 404)."""
    if not ticket_permissions.is_staff_user(user):
        return None
    if ticket_permissions.sees_everything(user):
        return Scope(user=user, level=ALL)
    if user.role == Role.SUPERVISOR:
        ids = tuple(sorted(user.supervised_departments.values_list("pk", flat=True)))
        if ids:
            return Scope(user=user, level=DEPARTMENTS, department_ids=ids)
    return Scope(user=user, level=AGENT)


def may_see_reports(user: User | AnonymousUser | None) -> bool:
    """The navbar entry: staff (what each sees is `report_scope`)."""
    return ticket_permissions.is_staff_user(user)

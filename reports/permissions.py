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

from django.db.models import QuerySet

from accounts.models import STAFF_ROLES, Role
from knowledgebase.models import SearchStat
from limits.models import IncreaseRequest
from tickets import permissions as ticket_permissions
from tickets.models import Department, Message, SatisfactionRating, Ticket

ALL = "all"
DEPARTMENTS = "departments"
AGENT = "agent"


@dataclass(frozen=True)
class Scope:
    user: object
    level: str
    department_ids: tuple[int, ...] = ()

    @property
    def is_agent(self) -> bool:
        return self.level == AGENT

    @property
    def sees_knowledge_base(self) -> bool:
        """The knowledge base's figures belong to no department: managers and supervisors."""
        return self.level in (ALL, DEPARTMENTS)

    def tickets(self) -> QuerySet[Ticket]:
        qs = Ticket.objects.filter(merged_into__isnull=True)
        if self.level == DEPARTMENTS:
            return qs.filter(department_id__in=self.department_ids)
        if self.level == AGENT:
            return qs.filter(assignee=self.user)
        return qs

    def replies(self) -> QuerySet[Message]:
        """Public staff replies: on the scope's tickets; for an agent, their own wherever they wrote them."""
        qs = Message.objects.filter(is_internal=False, author__role__in=STAFF_ROLES)
        if self.level == AGENT:
            return qs.filter(author=self.user)
        if self.level == DEPARTMENTS:
            return qs.filter(ticket__department_id__in=self.department_ids)
        return qs

    def ratings(self) -> QuerySet[SatisfactionRating]:
        return SatisfactionRating.objects.filter(ticket__in=self.tickets())

    def increase_requests(self) -> QuerySet[IncreaseRequest]:
        return IncreaseRequest.objects.filter(ticket__in=self.tickets())

    def search_stats(self) -> QuerySet[SearchStat]:
        return SearchStat.objects.all() if self.sees_knowledge_base else SearchStat.objects.none()

    def departments(self) -> QuerySet[Department]:
        qs = Department.objects.order_by("name")
        if self.level == DEPARTMENTS:
            return qs.filter(pk__in=self.department_ids)
        return qs if self.level == ALL else qs.none()


def report_scope(user) -> Scope | None:
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


def may_see_reports(user) -> bool:
    """The navbar entry: staff (what each sees is `report_scope`)."""
    return ticket_permissions.is_staff_user(user)

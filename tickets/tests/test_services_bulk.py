"""`tickets.services.bulk`: one action applied to many tickets, with per-ticket failures."""

import pytest

from tickets import services
from tickets.models import Ticket

from .factories import PriorityFactory

pytestmark = pytest.mark.django_db


# --- bulk -------------------------------------------------------------------------------------------


class TestBulk:
    def test_bulk_assign_reports_failures(self, make_ticket, agent, other_agent):
        mine = [make_ticket(), make_ticket()]
        elsewhere = make_ticket(department=other_agent.departments.get())
        result = services.bulk_apply(tickets=[*mine, elsewhere], action="assign", actor=agent, agent=agent)
        assert [t.pk for t in result.done] == [t.pk for t in mine]
        assert [t.pk for t, _ in result.failed] == [elsewhere.pk]
        assert result.failed[0][1]
        assert Ticket.objects.filter(assignee=agent).count() == 2

    @pytest.mark.parametrize(
        ("action", "params", "check"),
        [
            ("status", {"status": "on_hold"}, lambda t: t.status == "on_hold"),
            ("close", {}, lambda t: t.status == "closed"),
            ("pin", {}, lambda t: t.is_pinned),
            ("add_tags", {"tags": ["گروهی"]}, lambda t: "گروهی" in t.tags.names()),
        ],
    )
    def test_bulk_actions(self, make_ticket, agent, action, params, check, notified):
        tickets = [make_ticket(), make_ticket()]
        notified.clear()
        result = services.bulk_apply(
            tickets=Ticket.objects.filter(pk__in=[t.pk for t in tickets]), action=action, actor=agent, **params
        )
        assert len(result.done) == 2 and not result.failed
        assert all(check(Ticket.objects.get(pk=t.pk)) for t in tickets)
        assert len(notified.kinds) == 2

    def test_bulk_priority_and_transfer(self, make_ticket, agent, other_agent):
        high = PriorityFactory()
        t = make_ticket()
        services.bulk_apply(tickets=[t], action="priority", actor=agent, priority=high)
        services.bulk_apply(tickets=[t], action="transfer", actor=agent, department=other_agent.departments.get())
        t.refresh_from_db()
        assert t.priority == high and t.department == other_agent.departments.get()

    def test_unknown_action(self, ticket, agent):
        with pytest.raises(ValueError):
            services.bulk_apply(tickets=[ticket], action="delete", actor=agent)

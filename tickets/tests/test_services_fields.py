"""`tickets.services.fields`: priority, type, tags, pin, due dates and followers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.services import errors

from .factories import PriorityFactory, TicketTypeFactory
from .services_support import codes, kinds

pytestmark = pytest.mark.django_db


# --- attributes -------------------------------------------------------------------------------------


class TestAttributes:
    def test_priority(self, ticket, agent, priority, notified):
        high = PriorityFactory(name="زیاد", order=3)
        services.ticket_change_priority(ticket=ticket, priority=high, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).priority == high
        event = TicketEvent.objects.get(ticket=ticket, kind="priority")
        assert event.data["old"]["name"] == "عادی" and event.data["new"]["name"] == "زیاد"
        assert notified.kinds[-1] == "priority"
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_change_priority(ticket=ticket, priority=PriorityFactory(is_active=False), actor=agent)
        assert codes(exc) == "priority_not_available"

    def test_type(self, ticket, agent, notified):
        kind = TicketTypeFactory()
        services.ticket_change_type(ticket=ticket, type=kind, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).type == kind
        assert notified.kinds[-1] == "type"
        services.ticket_change_type(ticket=ticket, type=None, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).type is None

    def test_tags(self, ticket, agent, notified):
        services.ticket_set_tags(ticket=ticket, tags="چاپگر، سخت‌افزار, فوری", actor=agent)
        assert sorted(Ticket.objects.get(pk=ticket.pk).tags.names()) == sorted(["چاپگر", "سخت‌افزار", "فوری"])
        services.ticket_set_tags(ticket=ticket, tags=["چاپگر", "شبکه"], actor=agent)
        event = TicketEvent.objects.filter(ticket=ticket, kind="tags").last()
        assert event.data == {"added": ["شبکه"], "removed": sorted(["سخت‌افزار", "فوری"])}
        services.ticket_add_tags(ticket=ticket, tags=["VIP"], actor=agent)
        assert sorted(Ticket.objects.get(pk=ticket.pk).tags.names()) == sorted(["چاپگر", "شبکه", "VIP"])
        before = kinds(ticket).count("tags")
        services.ticket_add_tags(ticket=ticket, tags=["vip"], actor=agent)  # case-insensitive: nothing new
        assert kinds(ticket).count("tags") == before
        assert notified.kinds.count("tags") == 3

    def test_tag_too_long(self, ticket, agent):
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_set_tags(ticket=ticket, tags=["x" * 101], actor=agent)
        assert codes(exc) == "tag_too_long"

    def test_customer_cannot_edit(self, ticket, customer):
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.ticket_set_tags(ticket=ticket, tags=["x"], actor=customer)
        assert codes(exc) == "not_allowed"
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.ticket_set_pinned(ticket=ticket, pinned=True, actor=customer)
        assert codes(exc) == "not_allowed"

    def test_pin(self, ticket, agent, notified):
        services.ticket_set_pinned(ticket=ticket, pinned=True, actor=agent)
        assert Ticket.objects.get(pk=ticket.pk).is_pinned
        services.ticket_set_pinned(ticket=ticket, pinned=True, actor=agent)
        assert notified.kinds.count("pinned") == 1
        services.ticket_set_pinned(ticket=ticket, pinned=False, actor=agent)
        assert TicketEvent.objects.filter(ticket=ticket, kind="pinned").last().data == {"pinned": False}

    def test_due_dates(self, ticket, agent, notified):
        soon = timezone.now() + timedelta(hours=4)
        later = soon + timedelta(days=2)
        services.ticket_set_due(ticket=ticket, actor=agent, first_response_due=soon, resolution_due=later)
        t = Ticket.objects.get(pk=ticket.pk)
        assert (t.first_response_due, t.resolution_due) == (soon, later)
        assert notified.kinds[-2:] == ["due", "due"]
        services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=None)
        t = Ticket.objects.get(pk=ticket.pk)
        assert t.first_response_due == soon and t.resolution_due is None
        with pytest.raises(errors.TicketError) as exc:
            services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=soon - timedelta(hours=1))
        assert codes(exc) == "due_order"

    def test_overdue(self, ticket, agent):
        services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=timezone.now() - timedelta(minutes=1))
        assert Ticket.objects.get(pk=ticket.pk).is_overdue


# --- followers --------------------------------------------------------------------------------------


class TestFollowers:
    def test_self_follow_and_unfollow(self, ticket, agent, notified):
        services.follower_add(ticket=ticket, user=agent, actor=agent)
        assert ticket.followers.filter(pk=agent.pk).exists()
        services.follower_add(ticket=ticket, user=agent, actor=agent)
        services.follower_remove(ticket=ticket, user=agent, actor=agent)
        assert not ticket.followers.exists()
        assert notified.kinds.count("followed") == 2

    def test_agent_adds_colleague_customer(self, ticket, agent, colleague):
        services.follower_add(ticket=ticket, user=colleague, actor=agent)
        assert Ticket.objects.visible_to(colleague).filter(pk=ticket.pk).exists()

    def test_customer_of_another_org_cannot_follow(self, ticket, agent, stranger):
        with pytest.raises(errors.TicketError) as exc:
            services.follower_add(ticket=ticket, user=stranger, actor=agent)
        assert codes(exc) == "follower_not_allowed"

    def test_customer_cannot_add_others(self, ticket, customer, colleague):
        with pytest.raises(errors.TicketPermissionError) as exc:
            services.follower_add(ticket=ticket, user=colleague, actor=customer)
        assert codes(exc) == "not_allowed"

    def test_agent_following_sees_ticket(self, ticket, other_agent, manager):
        assert not Ticket.objects.visible_to(other_agent).filter(pk=ticket.pk).exists()
        services.follower_add(ticket=ticket, user=other_agent, actor=manager)
        assert Ticket.objects.visible_to(other_agent).filter(pk=ticket.pk).exists()

"""The permission matrix at the selector level (views add their URL-level matrix on top)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation
from accounts.tests.factories import AgentFactory, CustomerFactory, SupervisorFactory
from tickets import permissions, services
from tickets.models import Status, Ticket

from .factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(org, customer, colleague, stranger, agent, other_agent, supervisor, manager, site_admin, department):
    """Tickets: A's (public), B's (same org), an internal one; plus a note and attachments."""
    a_ticket = services.ticket_create(
        requester=customer,
        department=department,
        subject="A",
        body="a",
        channel="web",
        created_by=customer,
        attachments=[SimpleUploadedFile("a.pdf", PDF)],
    )
    b_ticket = services.ticket_create(
        requester=colleague, department=department, subject="B", body="b", channel="web", created_by=colleague
    )
    internal = services.ticket_create(
        requester=customer,
        department=department,
        subject="internal",
        body="i",
        channel="staff",
        created_by=agent,
        is_internal=True,
    )
    note = services.note_add(
        ticket=a_ticket, author=agent, body="یادداشت", attachments=[SimpleUploadedFile("n.pdf", PDF)]
    )
    return {
        "org": org,
        "A": customer,
        "B": colleague,
        "C": stranger,
        "agent": agent,
        "other_agent": other_agent,
        "supervisor": supervisor,
        "manager": manager,
        "admin": site_admin,
        "anonymous": AnonymousUser(),
        "a_ticket": a_ticket,
        "b_ticket": b_ticket,
        "internal": internal,
        "note": note,
    }


def visible(world, who):
    refs = {world["a_ticket"].pk: "A", world["b_ticket"].pk: "B", world["internal"].pk: "I"}
    return {refs[pk] for pk in permissions.visible_tickets(world[who]).values_list("pk", flat=True)}


SHARING_OWN = {
    "A": {"A"},
    "B": {"B"},
    "C": set(),
    "agent": {"A", "B", "I"},
    "other_agent": set(),
    "supervisor": {"A", "B", "I"},
    "manager": {"A", "B", "I"},
    "admin": {"A", "B", "I"},
    "anonymous": set(),
}


@pytest.mark.parametrize("who", list(SHARING_OWN))
def test_visibility_with_sharing_own(world, who):
    assert visible(world, who) == SHARING_OWN[who]


@pytest.mark.parametrize("who", list(SHARING_OWN))
def test_visibility_with_sharing_all(world, who):
    world["org"].sharing = Organisation.Sharing.ALL
    world["org"].save()
    expected = dict(SHARING_OWN, A={"A", "B"}, B={"A", "B"})  # never the internal ticket
    assert visible(world, who) == expected[who]


def test_queryset_method_matches(world):
    assert set(Ticket.objects.visible_to(world["A"])) == set(permissions.visible_tickets(world["A"]))
    assert list(Ticket.objects.filter(subject="B").visible_to(world["A"])) == []


def test_inactive_user_sees_nothing(world):
    world["agent"].is_active = False
    assert visible(world, "agent") == set()


def test_no_duplicate_rows(world):
    """Member *and* supervisor *and* follower *and* assignee: still one row per ticket."""
    agent, a_ticket = world["agent"], world["a_ticket"]
    a_ticket.department.supervisors.add(agent)
    services.follower_add(ticket=a_ticket, user=agent, actor=agent)
    services.ticket_assign(ticket=a_ticket, agent=agent, actor=agent)
    qs = permissions.visible_tickets(agent)
    assert qs.count() == 3
    assert len(list(qs)) == 3


def test_supervisor_only_of_a_department(world):
    sup = SupervisorFactory()
    assert visible(world, "supervisor") == {"A", "B", "I"}
    world["sup2"] = sup
    assert visible(world, "sup2") == set()
    world["a_ticket"].department.supervisors.add(sup)
    assert visible(world, "sup2") == {"A", "B", "I"}


def test_agent_sees_followed_and_created_outside_department(world, manager):
    outsider = AgentFactory()
    world["outsider"] = outsider
    assert visible(world, "outsider") == set()
    services.follower_add(ticket=world["b_ticket"], user=outsider, actor=manager)
    assert visible(world, "outsider") == {"B"}
    elsewhere = DepartmentFactory()
    created = services.ticket_create(
        requester=None,
        department=elsewhere,
        subject="x",
        body="y",
        channel="staff",
        created_by=outsider,
        is_internal=True,
    )
    assert permissions.visible_tickets(outsider).filter(pk=created.pk).exists()


def test_agent_sees_ticket_assigned_after_transfer(world, other_agent, agent):
    """Transferred to another department with this agent as assignee: visible through the assignment."""
    finance = other_agent.departments.get()
    services.ticket_transfer(ticket=world["a_ticket"], department=finance, agent=other_agent, actor=agent)
    assert visible(world, "other_agent") == {"A"}


def test_customer_follower_sees_ticket(world):
    services.follower_add(ticket=world["b_ticket"], user=world["A"], actor=world["agent"])
    assert visible(world, "A") == {"A", "B"}


def test_customer_never_sees_internal_even_as_requester(world):
    # The internal ticket names A as requester, yet A can't see it.
    assert world["internal"].requester == world["A"]
    assert "I" not in visible(world, "A")


# --- messages, events, attachments ------------------------------------------------------------------


def test_customer_never_sees_internal_notes(world):
    a_ticket = world["a_ticket"]
    assert [m.is_internal for m in permissions.visible_messages(world["A"], a_ticket)] == [False]
    assert [m.is_internal for m in permissions.visible_messages(world["agent"], a_ticket)] == [False, True]


def test_events_for_customers_are_public_kinds(world):
    a_ticket, agent = world["a_ticket"], world["agent"]
    services.ticket_assign(ticket=a_ticket, agent=agent, actor=agent)
    services.reply_add(ticket=a_ticket, author=agent, body="پاسخ")
    customer_kinds = [e.kind for e in permissions.visible_events(world["A"], a_ticket)]
    staff_kinds = [e.kind for e in permissions.visible_events(agent, a_ticket)]
    assert customer_kinds == ["created", "replied", "status"]
    assert staff_kinds == ["created", "noted", "assigned", "replied", "status"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("A", {"a.pdf"}),
        ("B", set()),
        ("C", set()),
        ("agent", {"a.pdf", "n.pdf"}),
        ("other_agent", set()),
        ("manager", {"a.pdf", "n.pdf"}),
        ("anonymous", set()),
    ],
)
def test_attachments(world, who, expected):
    names = set(permissions.visible_attachments(world[who]).values_list("original_name", flat=True))
    assert names == expected


# --- action permissions -----------------------------------------------------------------------------

ACTIONS = ("reply", "note", "assign", "transfer", "change_status", "edit", "merge", "close", "follow")
MATRIX = {
    #            reply  note   assign transfer status edit  merge  close  follow
    "A": (True, False, False, False, False, False, False, True, True),
    "B": (False, False, False, False, False, False, False, False, False),
    "C": (False, False, False, False, False, False, False, False, False),
    "agent": (True, True, True, True, True, True, True, True, True),
    "other_agent": (False, False, False, False, False, False, False, False, False),
    "supervisor": (True, True, True, True, True, True, True, True, True),
    "manager": (True, True, True, True, True, True, True, True, True),
    "admin": (True, True, True, True, True, True, True, True, True),
    "anonymous": (False, False, False, False, False, False, False, False, False),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_action_matrix(world, who):
    user, ticket = world[who], world["a_ticket"]
    got = tuple(getattr(permissions, f"can_{action}")(user, ticket) for action in ACTIONS)
    assert dict(zip(ACTIONS, got, strict=True)) == dict(zip(ACTIONS, MATRIX[who], strict=True))


def test_assignee_outside_department_may_work_it(world, manager):
    """Someone holding a ticket can work it even if not (or no longer) in its department."""
    holder = AgentFactory()
    ticket = world["a_ticket"]
    ticket.department.members.add(holder)
    services.ticket_assign(ticket=ticket, agent=holder, actor=manager)
    ticket.department.members.remove(holder)
    ticket.refresh_from_db()
    assert permissions.can_change_status(holder, ticket)
    assert permissions.can_note(holder, ticket)


def test_closed_ticket_is_read_only(world):
    ticket, agent = world["a_ticket"], world["agent"]
    services.ticket_close(ticket=ticket, actor=agent)
    ticket.refresh_from_db()
    for check in (permissions.can_reply, permissions.can_assign, permissions.can_edit, permissions.can_close):
        assert not check(agent, ticket)
        assert not check(world["A"], ticket)
    assert permissions.visible_tickets(world["A"]).filter(pk=ticket.pk).exists()


def test_reopen_rules(world):
    ticket, agent, customer = world["a_ticket"], world["agent"], world["A"]
    assert not permissions.can_reopen(customer, ticket)
    services.ticket_change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)
    ticket.refresh_from_db()
    assert permissions.can_reopen(customer, ticket)
    assert permissions.can_reopen(agent, ticket)
    assert not permissions.can_reopen(world["C"], ticket)
    assert not permissions.can_reopen(world["other_agent"], ticket)


def test_can_view_internal():
    assert not permissions.can_view_internal(AnonymousUser())
    assert not permissions.can_view_internal(CustomerFactory())
    assert permissions.can_view_internal(AgentFactory())


def test_can_assign_to(world):
    department = world["a_ticket"].department
    assert permissions.can_assign_to(world["agent"], department)
    assert permissions.can_assign_to(world["supervisor"], department)
    assert permissions.can_assign_to(world["manager"], world["a_ticket"])
    assert not permissions.can_assign_to(world["other_agent"], department)
    assert not permissions.can_assign_to(world["A"], department)


def test_visible_tickets_query_count(world, django_assert_num_queries):
    """One query for a customer's or an agent's list (subqueries, not extra round trips)."""
    for who in ("A", "agent", "supervisor", "manager"):
        with django_assert_num_queries(1):
            list(permissions.visible_tickets(world[who]))

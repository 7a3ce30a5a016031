"""The event registry, constructors and the translated sentences."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from tickets import events, services
from tickets.models import TicketEvent

from .factories import PriorityFactory

pytestmark = pytest.mark.django_db


def test_builtin_kinds_are_registered():
    assert set(events.registered_kinds()) >= {
        "created", "replied", "noted", "assigned", "transferred", "status", "priority", "type", "tags",
        "pinned", "due", "merged", "followed",
    }  # fmt: skip
    builtin_public = {k for k in events.public_kinds() if not k.startswith("limits_")}
    assert builtin_public == {"created", "replied", "status", "merged"}


def test_record_refuses_unknown_kind(ticket):
    with pytest.raises(ValueError):
        events.record(ticket=ticket, kind="nonsense", actor=None)


def test_other_apps_register_kinds(ticket, agent):
    def describe(event):
        return f"{events.actor_name(event)} submitted {event.data['amount']}"

    events.register("limits_test_submitted", label="Increase request", describe=describe, public=True)
    try:
        event = events.record(ticket=ticket, kind="limits_test_submitted", actor=agent, data={"amount": 5})
        assert event.description == "علی رضایی submitted 5"
        assert event.label == "Increase request"
        assert event.is_public
        events.register("limits_test_plain", label="Plain")
        plain = events.record(ticket=ticket, kind="limits_test_plain", actor=None)
        with translation.override("en"):
            assert plain.description == "The system: Plain"
        assert not plain.is_public
    finally:
        events._REGISTRY.pop("limits_test_submitted", None)
        events._REGISTRY.pop("limits_test_plain", None)


def test_register_validates_kind():
    with pytest.raises(ValueError):
        events.register("x" * 41, label="too long")


def test_unregistered_kind_is_described_by_its_name(ticket):
    event = TicketEvent.objects.create(ticket=ticket, kind="gone_app_kind")
    assert event.description == "gone_app_kind"
    assert event.label == "gone_app_kind"
    assert not event.is_public


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fa", "علی رضایی وضعیت را از «جدید» به «باز» تغییر داد."),
        ("en", "علی رضایی changed the status from New to Open."),
    ],
)
def test_status_sentence(ticket, agent, lang, expected):
    services.reply_add(ticket=ticket, author=agent, body="x")
    event = TicketEvent.objects.get(ticket=ticket, kind="status")
    with translation.override(lang):
        assert event.description == expected


def test_sentences_for_each_kind(ticket, agent, other_agent, manager, customer):
    high = PriorityFactory(name="زیاد", order=7)
    services.ticket_assign(ticket=ticket, agent=agent, actor=manager)
    services.ticket_change_priority(ticket=ticket, priority=high, actor=agent)
    services.ticket_set_tags(ticket=ticket, tags=["الف", "ب"], actor=agent)
    services.ticket_set_tags(ticket=ticket, tags=["ب", "ج"], actor=agent)
    services.ticket_set_pinned(ticket=ticket, pinned=True, actor=agent)
    services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=datetime(2025, 3, 20, 8, 30, tzinfo=UTC))
    services.follower_add(ticket=ticket, user=agent, actor=agent)
    services.note_add(ticket=ticket, author=agent, body="n")
    services.ticket_transfer(
        ticket=ticket, department=other_agent.departments.get(), agent=other_agent, actor=agent, note="مالی"
    )
    with translation.override("fa"):
        text = {e.kind: e.description for e in TicketEvent.objects.filter(ticket=ticket).select_related("actor")}
    manager_name = manager.full_name
    assert text["created"] == "مریم کاظمی تیکت را ثبت کرد."
    assert text["assigned"] == f"{manager_name} تیکت را به علی رضایی واگذار کرد (قبلاً: هیچ‌کس)."
    assert text["priority"] == "علی رضایی اولویت را از «عادی» به «زیاد» تغییر داد."
    assert text["tags"] == "علی رضایی برچسب‌های ج را افزود و الف را حذف کرد."
    assert text["pinned"] == "علی رضایی تیکت را سنجاق کرد."
    # 2025-03-20 08:30 UTC = 1403/12/30 12:00 in Tehran.
    assert text["due"] == "علی رضایی مهلت حل تیکت را از هیچ به ۱۴۰۳/۱۲/۳۰ ۱۲:۰۰ تغییر داد."
    assert text["followed"] == "علی رضایی علی رضایی را به دنبال‌کنندگان افزود."
    assert text["noted"] == "علی رضایی یادداشت داخلی افزود."
    assert text["transferred"] == (
        f"علی رضایی تیکت را از پشتیبانی فنی به {other_agent.departments.get().name} ارجاع داد. "
        f"مسئول: {other_agent.full_name}. توضیح: مالی"
    )


def test_due_and_tags_sentences_in_english(ticket, agent):
    """Dates and lists as the English pages show them (`helpdesk.l10n`): Gregorian in Tehran time, «, »."""
    services.ticket_set_tags(ticket=ticket, tags=["printer", "network", "urgent"], actor=agent)
    services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=datetime(2025, 3, 20, 8, 30, tzinfo=UTC))
    services.ticket_set_due(ticket=ticket, actor=agent, resolution_due=datetime(2025, 3, 20, 21, 0, tzinfo=UTC))
    with translation.override("en"):
        tags = TicketEvent.objects.get(ticket=ticket, kind="tags").description
        first, second = (e.description for e in TicketEvent.objects.filter(ticket=ticket, kind="due").order_by("pk"))
    assert tags == "علی رضایی added the tags network, printer, urgent."
    assert first == "علی رضایی changed the resolution due date from none to 2025-03-20 12:00."
    # 21:00 UTC is already the next day in Tehran.
    assert second == "علی رضایی changed the resolution due date from 2025-03-20 12:00 to 2025-03-21 00:30."


def test_merged_and_system_actor(make_ticket, agent):
    a, b = make_ticket(), make_ticket()
    services.ticket_merge(source=a, target=b, actor=agent)
    with translation.override("fa"):
        into = TicketEvent.objects.get(ticket=a, kind="merged").description
        from_ = TicketEvent.objects.get(ticket=b, kind="merged").description
    assert into == f"علی رضایی این تیکت را با تیکت #{b.reference} ادغام کرد."
    assert from_ == f"علی رضایی تیکت #{a.reference} را در این تیکت ادغام کرد."
    event = events.record(ticket=a, kind="status", actor=None, data={"old": "new", "new": "open"})
    with translation.override("fa"):
        assert event.description.startswith("سامانه ")


def test_names_survive_renames(ticket, agent, manager):
    services.ticket_assign(ticket=ticket, agent=agent, actor=manager)
    agent.full_name = "نام جدید"
    agent.save()
    event = TicketEvent.objects.get(ticket=ticket, kind="assigned")
    assert event.data["new"]["name"] == "علی رضایی"


def test_timeline_is_one_query(ticket, agent, django_assert_num_queries):
    for i in range(5):
        services.ticket_set_pinned(ticket=ticket, pinned=i % 2 == 0, actor=agent)
    with django_assert_num_queries(1):
        lines = [e.description for e in ticket.events.select_related("actor")]
    assert len(lines) == 6

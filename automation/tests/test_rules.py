"""Rules on new tickets: each condition kind, Persian keyword matching, order, stop_processing, each action
(through the ticket services, as timeline events by the system), automatic replies, and failures that must not
cost the ticket."""

import logging

import pytest
from django.utils import translation

from accounts.tests.factories import AgentFactory, CustomerFactory, OrganisationFactory
from automation import events as automation_events
from automation.models import Rule
from helpdesk.persian import to_persian_digits
from tickets import events
from tickets.models import Channel, Status, Ticket
from tickets.tests.factories import CannedResponseFactory, DepartmentFactory, PriorityFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent(db):
    return PriorityFactory(name="فوری", order=9)


def kinds(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("created_at", "pk").values_list("kind", flat=True))


# --- conditions -----------------------------------------------------------------------------------------------------


def test_rule_without_conditions_matches_every_ticket(rule, make_ticket, urgent):
    rule(set_priority=urgent)
    ticket = make_ticket()
    assert ticket.priority == urgent  # ticket_create returns the ticket as the rules left it


def test_channel_condition(rule, make_ticket, urgent, customer, agent):
    rule(channels=[Channel.EMAIL, Channel.SMS], set_priority=urgent)
    assert make_ticket().priority != urgent  # web
    assert make_ticket(channel=Channel.EMAIL, created_by=None).priority == urgent
    assert make_ticket(channel=Channel.STAFF, created_by=agent).priority != urgent


def test_department_condition(rule, make_ticket, urgent, department):
    other = DepartmentFactory()
    rule(department=department, set_priority=urgent)
    assert make_ticket().priority == urgent
    assert make_ticket(department=other).priority != urgent


def test_type_condition(rule, make_ticket, urgent):
    kind, other = TicketTypeFactory(is_public=True), TicketTypeFactory(is_public=True)
    rule(type=kind, set_priority=urgent)
    assert make_ticket(type=kind).priority == urgent
    assert make_ticket(type=other).priority != urgent
    assert make_ticket().priority != urgent


def test_organisation_condition(rule, make_ticket, urgent, org, stranger):
    rule(organisation=org, set_priority=urgent)
    assert make_ticket().priority == urgent
    assert make_ticket(requester=stranger).priority != urgent
    assert make_ticket(requester=CustomerFactory(organisation=None)).priority != urgent


@pytest.mark.parametrize(
    ("keyword", "subject"),
    [
        ("كتاب", "درخواست کتاب"),  # Arabic kaf in the keyword, Persian kaf in the text
        ("کتاب", "درخواست كتاب"),  # and the other way round
        ("ی", "ي"),  # Arabic/Persian yeh
        ("کتاب‌خانه", "کتابخانه مرکزی"),  # ZWNJ in the keyword, none in the text
        ("کتابخانه", "کتاب‌خانه مرکزی"),  # none in the keyword, ZWNJ in the text
        ("کتاب خانه", "کتاب‌خانه مرکزی"),  # a space for the ZWNJ
        ("خطای ۵۰۲", "Error: خطای 502 در سامانه"),  # Persian digits match Latin ones
        ("502", "خطای ٥٠٢"),  # and Arabic-Indic ones
        ("VPN", "اتصال vpn قطع است"),  # case
        ("مُدیر", "مدير"),  # diacritics
    ],
)
def test_keywords_are_matched_after_persian_normalisation(rule, make_ticket, urgent, keyword, subject):
    rule(keywords=keyword, keywords_in=Rule.KeywordsIn.SUBJECT, set_priority=urgent)
    assert make_ticket(subject=subject).priority == urgent


def test_keyword_not_present_does_not_match(rule, make_ticket, urgent):
    rule(keywords="کتاب", set_priority=urgent)
    assert make_ticket(subject="چاپگر", body="کاغذ گیر کرده").priority != urgent


def test_keywords_in_subject_or_body(rule, make_ticket, urgent):
    rule(keywords="فاکتور", keywords_in=Rule.KeywordsIn.SUBJECT, set_priority=urgent)
    assert make_ticket(subject="مشکل", body="فاکتور نرسید").priority != urgent
    assert make_ticket(subject="فاکتور", body="نرسید").priority == urgent


def test_keywords_in_body_only(rule, make_ticket, urgent):
    rule(keywords="فاکتور", keywords_in=Rule.KeywordsIn.BODY, set_priority=urgent)
    assert make_ticket(subject="فاکتور", body="نرسید").priority != urgent
    assert make_ticket(subject="مشکل", body="فاکتور نرسید").priority == urgent


def test_keywords_either_place_by_default(rule, make_ticket, urgent):
    rule(keywords="فاکتور", set_priority=urgent)
    assert make_ticket(subject="مشکل", body="فاکتور نرسید").priority == urgent
    assert make_ticket(subject="فاکتور", body="نرسید").priority == urgent


def test_keywords_any_or_all(rule, make_ticket, urgent):
    low = PriorityFactory(name="کم", order=0)
    rule(keywords="قطع\nبرق", keywords_match=Rule.KeywordsMatch.ALL, set_priority=urgent)
    rule(keywords="قطع\nبرق", keywords_match=Rule.KeywordsMatch.ANY, set_type=None, add_tags="برق")
    only_one = make_ticket(subject="اینترنت قطع است", body="از صبح")
    both = make_ticket(subject="برق قطع است", body="از صبح")
    assert only_one.priority != urgent and list(only_one.tags.names()) == ["برق"]
    assert both.priority == urgent
    assert low != urgent


def test_keywords_only_read_the_first_message(rule, make_ticket, urgent, agent):
    from tickets import services

    rule(keywords="فوری", set_priority=urgent)
    ticket = make_ticket(subject="سؤال", body="سلام")
    services.reply_add(ticket=ticket, author=agent, body="فوری بررسی می‌شود")
    assert Ticket.objects.get(pk=ticket.pk).priority != urgent  # rules run on creation only


def test_inactive_rules_do_not_run(rule, make_ticket, urgent):
    rule(set_priority=urgent, is_active=False)
    assert make_ticket().priority != urgent


# --- order and stop_processing --------------------------------------------------------------------------------------


def test_rules_run_in_order_and_later_ones_see_earlier_changes(rule, make_ticket, urgent):
    sales = DepartmentFactory(name="فروش")
    # Created out of order: the `order` field decides.
    rule(name="دوم", order=20, department=sales, add_tags="فروش")
    rule(name="اول", order=10, keywords="قیمت", set_department=sales)
    ticket = make_ticket(subject="قیمت محصول")
    assert ticket.department == sales
    assert list(ticket.tags.names()) == ["فروش"]
    applied = [e.data["rule"] for e in ticket.events.filter(kind=automation_events.RULE_APPLIED).order_by("pk")]
    assert applied == ["اول", "دوم"]


def test_stop_processing(rule, make_ticket, urgent):
    rule(order=1, add_tags="یک", stop_processing=True, keywords="توقف")
    rule(order=2, add_tags="دو")
    assert sorted(make_ticket(subject="توقف").tags.names()) == ["یک"]
    assert sorted(make_ticket(subject="ادامه").tags.names()) == ["دو"]  # a rule that doesn't match doesn't stop


def test_last_rule_wins_on_the_same_field(rule, make_ticket, urgent):
    high = PriorityFactory(name="زیاد", order=5)
    rule(order=1, set_priority=urgent)
    rule(order=2, set_priority=high)
    assert make_ticket().priority == high


# --- actions --------------------------------------------------------------------------------------------------------


def test_set_department_is_a_transfer_by_the_system(rule, make_ticket):
    sales = DepartmentFactory(name="فروش")
    rule(name="به فروش", set_department=sales)
    ticket = make_ticket()
    assert ticket.department == sales and ticket.assignee is None
    event = ticket.events.get(kind=events.TRANSFERRED)
    assert event.actor is None
    assert event.data["new_department"]["name"] == "فروش"
    assert event.data["note"] == "به فروش"
    assert kinds(ticket) == [events.CREATED, automation_events.RULE_APPLIED, events.TRANSFERRED]


def test_set_department_already_there_is_a_no_op(rule, make_ticket, department):
    rule(set_department=department)
    ticket = make_ticket()
    assert kinds(ticket) == [events.CREATED, automation_events.RULE_APPLIED]


def test_set_priority_type_tags_and_assignee(rule, make_ticket, urgent, agent, notified):
    kind = TicketTypeFactory()
    rule(set_priority=urgent, set_type=kind, add_tags="چاپگر، سخت‌افزار", set_assignee=agent)
    ticket = make_ticket()
    assert (ticket.priority, ticket.type, ticket.assignee) == (urgent, kind, agent)
    assert sorted(ticket.tags.names()) == sorted(["چاپگر", "سخت‌افزار"])
    assert kinds(ticket) == [
        events.CREATED,
        automation_events.RULE_APPLIED,
        events.TYPE,
        events.PRIORITY,
        events.TAGS,
        events.ASSIGNED,
    ]
    assert all(e.actor_id is None for e in ticket.events.exclude(kind=events.CREATED))
    # Each change was notified like any other (inside the creating transaction); `created` last, from the ticket as
    # the rules left it.
    assert notified.kinds == [events.TYPE, events.PRIORITY, events.TAGS, events.ASSIGNED, events.CREATED]
    assert all(r.in_transaction for r in notified.records)


def test_timeline_says_the_system_did_it(rule, make_ticket, agent):
    rule(name="واگذاری", set_assignee=agent)
    ticket = make_ticket()
    assigned = ticket.events.get(kind=events.ASSIGNED)
    assert assigned.actor_id is None
    assert events.actor_name(assigned) == "سامانه"  # Persian is the default language
    applied = ticket.events.get(kind=automation_events.RULE_APPLIED)
    assert "واگذاری" in events.describe(applied)
    assert not events.is_public(automation_events.RULE_APPLIED)


def test_canned_auto_reply_with_placeholders(rule, make_ticket, customer, department, notified):
    from helpdesk.site import get_site_settings

    canned = CannedResponseFactory(
        body="سلام {customer_name}، درخواست {ticket_reference} در {department} ثبت شد. {agent_name} {unknown}"
    )
    rule(canned_response=canned)
    ticket = make_ticket()
    reply = ticket.messages.order_by("pk").last()
    site = get_site_settings().title
    assert reply.author is None and not reply.is_internal
    reference = to_persian_digits(ticket.reference)  # #13: Persian digits in a Persian message
    assert reply.body == f"سلام مریم کاظمی، درخواست {reference} در پشتیبانی فنی ثبت شد. {site} {{unknown}}"
    # An automatic answer is not a first response and doesn't open the ticket.
    assert ticket.status == Status.NEW and ticket.first_response_at is None
    event = ticket.events.get(kind=events.REPLIED)
    assert event.actor is None and event.data["message"] == reply.pk
    assert events.REPLIED in notified.kinds


@pytest.mark.parametrize(("language", "active"), [("en", "fa"), ("en", None), ("fa", "en")])
def test_canned_auto_reply_in_the_requesters_language(rule, make_ticket, language, active):
    """An auto-reply (from email-in, where the worker has no active language) is written as its requester reads:
    an English-speaking customer gets Latin digits, a Persian-speaking one Persian digits."""
    rule(canned_response=CannedResponseFactory(body="Request {ticket_reference} received."))
    requester = CustomerFactory(language=language)
    with translation.override(active):
        ticket = make_ticket(requester=requester, channel=Channel.EMAIL)
    reference = ticket.reference if language == "en" else to_persian_digits(ticket.reference)
    assert ticket.messages.order_by("pk").last().body == f"Request {reference} received."


def test_auto_reply_skipped_on_internal_tickets_and_retired_responses(rule, make_ticket, agent):
    canned = CannedResponseFactory()
    rule(canned_response=canned)
    internal = make_ticket(requester=None, is_internal=True, created_by=agent, channel=Channel.STAFF)
    assert internal.messages.count() == 1
    canned.is_active = False
    canned.save()
    assert make_ticket().messages.count() == 1


def test_rules_run_for_every_channel(rule, make_ticket, agent, urgent):
    rule(set_priority=urgent)
    for channel, created_by in [
        (Channel.WEB, None),
        (Channel.EMAIL, None),
        (Channel.SMS, None),
        (Channel.STAFF, agent),
    ]:
        params = {"channel": channel}
        if channel != Channel.WEB:
            params["created_by"] = created_by
        assert make_ticket(**params).priority == urgent


# --- failures -------------------------------------------------------------------------------------------------------


def test_failed_action_is_recorded_and_the_ticket_is_kept(rule, make_ticket, urgent, caplog):
    outsider = AgentFactory(full_name="بهرام نیک")
    broken = rule(name="خراب", set_priority=urgent)
    # The assignee was valid when the rule was saved and left the department since: set it behind clean().
    Rule.objects.filter(pk=broken.pk).update(set_assignee=outsider)
    rule(order=999, add_tags="بعدی")
    with caplog.at_level(logging.WARNING, logger="automation"):
        ticket = make_ticket()
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert ticket.assignee is None
    assert ticket.priority == urgent  # the rule's other actions still ran
    assert list(ticket.tags.names()) == ["بعدی"]  # and so did the rules after it
    failed = ticket.events.get(kind=automation_events.RULE_FAILED)
    assert failed.data["rule"] == "خراب" and failed.data["action"] == "assignee"
    assert "بهرام نیک" in failed.data["error"]
    assert "خراب" in events.describe(failed)
    assert not ticket.events.filter(kind=events.ASSIGNED).exists()
    assert any("assignee failed" in r.getMessage() for r in caplog.records)


def test_unexpected_error_in_an_action_is_contained(rule, make_ticket, urgent, monkeypatch, caplog):
    from tickets import services

    def boom(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "ticket_add_tags", boom)
    rule(add_tags="x", set_priority=urgent)
    with caplog.at_level(logging.ERROR, logger="automation"):
        ticket = make_ticket()
    assert ticket.pk and ticket.priority == urgent
    assert ticket.events.get(kind=automation_events.RULE_FAILED).data["error"] == "RuntimeError"
    assert any(r.exc_info for r in caplog.records)


def test_failed_action_leaves_nothing_half_done(rule, make_ticket, monkeypatch):
    """The action's savepoint is rolled back: a transfer that writes and then fails leaves no trace."""
    from tickets import services

    sales = DepartmentFactory(name="فروش")
    real = services.ticket_transfer

    def transfer_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("after the write")

    monkeypatch.setattr(services, "ticket_transfer", transfer_then_fail)
    rule(set_department=sales)
    ticket = make_ticket()
    assert ticket.department != sales
    assert not ticket.events.filter(kind=events.TRANSFERRED).exists()
    assert ticket.events.filter(kind=automation_events.RULE_FAILED).exists()


def test_closed_or_unrelated_things_untouched_without_rules(make_ticket):
    ticket = make_ticket()
    assert kinds(ticket) == [events.CREATED]


def test_organisation_condition_uses_the_ticket_not_the_users_current_org(rule, make_ticket, customer, urgent):
    other = OrganisationFactory()
    rule(organisation=other, set_priority=urgent)
    assert make_ticket().priority != urgent

"""Applying the automation rules to a new ticket (B3, B5).

`apply_rules(ticket)` is registered in `tickets.hooks` by `AutomationConfig.ready()`, so `ticket_create` calls it
inside its transaction for every new ticket, whatever the channel. Rules run by `order`; a rule matches when every
condition it sets holds for the ticket *as earlier rules left it*. Each action goes through the ticket services with
`actor=None` (the system), so it is a typed event on the timeline and notifies like any change.

Failures: each action runs in its own savepoint (`helpdesk.transactions.optional_step`). If the services refuse it
(e.g. the assignee left the department) or it breaks, the savepoint is rolled back, the failure is logged and
recorded on the timeline as `rule_failed`, and the next action runs: a broken rule never costs the customer their
ticket. Only a database failure that lost the transaction itself (a dropped connection) is raised, so the ticket's
creation fails as a whole and the customer is told to try again, rather than being shown a ticket that was rolled
back. Afterwards, round-robin routing
(`automation.routing`) assigns the ticket if it is still unassigned.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from helpdesk.persian import normalize
from helpdesk.site import get_site_settings
from helpdesk.transactions import optional_step
from tickets import services
from tickets.models import Ticket

from . import events, routing
from .models import Rule

logger = logging.getLogger("automation")


def _compact(text: str) -> str:
    return text.replace(" ", "")


def keywords_match(rule: Rule, *, subject: str, body: str) -> bool:
    """Do the rule's keywords occur in the ticket's text? Both sides are normalised (`helpdesk.persian.normalize`:
    «ك»/«ک», «ي»/«ی», digits of any script, diacritics, case), and spaces are ignored because Persian writers put
    a ZWNJ, a space or nothing between the parts of a compound («کتاب‌خانه», «کتاب خانه», «کتابخانه»)."""
    keywords = [_compact(normalize(k)) for k in rule.keyword_list]
    keywords = [k for k in keywords if k]
    if not keywords:
        return True
    parts = []
    if rule.keywords_in in (Rule.KeywordsIn.SUBJECT, Rule.KeywordsIn.SUBJECT_OR_BODY):
        parts.append(subject)
    if rule.keywords_in in (Rule.KeywordsIn.BODY, Rule.KeywordsIn.SUBJECT_OR_BODY):
        parts.append(body)
    haystack = _compact(normalize(" ".join(parts)))
    found = (k in haystack for k in keywords)
    return all(found) if rule.keywords_match == Rule.KeywordsMatch.ALL else any(found)


def rule_matches(rule: Rule, ticket: Ticket, *, body: str) -> bool:
    if rule.channels and ticket.channel not in rule.channels:
        return False
    if rule.department_id and ticket.department_id != rule.department_id:
        return False
    if rule.type_id and ticket.type_id != rule.type_id:
        return False
    if rule.organisation_id and ticket.organisation_id != rule.organisation_id:
        return False
    return keywords_match(rule, subject=ticket.subject, body=body)


def _system_signature():
    """Who "{agent_name}" is in an automatic reply: the site itself (its title)."""
    return SimpleNamespace(full_name=get_site_settings().title)


def _actions(rule: Rule):
    """(name, callable(ticket) -> Ticket) for each action the rule sets, in a fixed order."""
    if rule.set_department_id:

        def transfer(t: Ticket) -> Ticket:
            if t.department_id == rule.set_department_id:
                return t
            assert rule.set_department is not None  # set_department_id was checked
            return services.ticket_transfer(
                ticket=t, department=rule.set_department, agent=None, actor=None, note=rule.name
            )

        yield "department", transfer
    if rule.set_type_id:
        yield "type", lambda t: services.ticket_change_type(ticket=t, type=rule.set_type, actor=None)
    if rule.set_priority_id:
        yield "priority", lambda t: services.ticket_change_priority(ticket=t, priority=rule.set_priority, actor=None)
    if rule.add_tags.strip():
        yield "tags", lambda t: services.ticket_add_tags(ticket=t, tags=rule.add_tags, actor=None)
    if rule.set_assignee_id:
        yield "assignee", lambda t: services.ticket_assign(ticket=t, agent=rule.set_assignee, actor=None)
    if rule.canned_response_id:

        def reply(t: Ticket) -> Ticket:
            if t.requester_id is None or t.is_internal or not (rule.canned_response and rule.canned_response.is_active):
                return t  # nobody to answer (an internal ticket), or the response was retired
            assert t.requester is not None  # requester_id was checked
            # In the requester's language, as notifications are: the email-in worker has none active.
            with translation.override(t.requester.language or settings.LANGUAGE_CODE):
                body = services.render_canned(response=rule.canned_response, ticket=t, agent=_system_signature())
            return services.reply_add(ticket=t, author=None, body=body).ticket

        yield "reply", reply


def _error_text(exc: Exception | None) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return exc.__class__.__name__


def _run_action(ticket: Ticket, rule: Rule, name: str, action) -> Ticket:
    """Run one action in a savepoint: a refusal or a bug is recorded on the timeline and the next action runs; a
    database failure that lost the ticket's transaction is raised (`helpdesk.transactions.optional_step`)."""
    with optional_step(f"rule {rule.pk} ({rule.name}) on #{ticket.reference}: {name}", log=logger) as step:
        return action(ticket)
    events.event_rule_failed(
        ticket=ticket, rule_name=rule.name, rule_id=rule.pk, action=name, error=_error_text(step.error)
    )
    return Ticket.objects.get(pk=ticket.pk)


def apply_rules(ticket: Ticket) -> Ticket:
    """Run the active rules on a new ticket, then round-robin routing. Call inside the creating transaction
    (the `tickets.hooks` registry does). Returns the ticket as the actions left it."""
    rules = list(
        Rule.objects.filter(is_active=True)
        .select_related("set_department", "set_priority", "set_type", "set_assignee", "canned_response")
        .order_by("order", "pk")
    )
    if rules:
        first = ticket.messages.order_by("created_at", "pk").values_list("body", flat=True).first() or ""
        for rule in rules:
            if not rule_matches(rule, ticket, body=first):
                continue
            events.event_rule_applied(ticket=ticket, rule=rule)
            for name, action in _actions(rule):
                ticket = _run_action(ticket, rule, name, action)
            if rule.stop_processing:
                break
    return routing.route_new_ticket(ticket)

"""Timeline kinds of the automation app (staff-only): which rule acted on a ticket, and which action failed."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tickets import events

RULE_APPLIED = "rule_applied"
RULE_FAILED = "rule_failed"


def _describe_applied(e) -> str:
    return gettext("The rule “%(rule)s” matched the new ticket.") % {"rule": e.data.get("rule", "?")}


def _describe_failed(e) -> str:
    return gettext("The rule “%(rule)s” could not %(action)s: %(error)s") % {
        "rule": e.data.get("rule", "?"),
        "action": action_label(e.data.get("action", "")),
        "error": e.data.get("error", ""),
    }


ACTION_LABELS = {
    "department": _("transfer the ticket"),
    "type": _("set the type"),
    "priority": _("set the priority"),
    "tags": _("add the tags"),
    "assignee": _("assign the ticket"),
    "reply": _("send the automatic reply"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def register() -> None:
    events.register(RULE_APPLIED, label=_("Rule applied"), describe=_describe_applied, public=False)
    events.register(RULE_FAILED, label=_("Rule failed"), describe=_describe_failed, public=False)


def event_rule_applied(*, ticket, rule):
    return events.record(ticket=ticket, kind=RULE_APPLIED, actor=None, data={"rule": rule.name, "rule_id": rule.pk})


def event_rule_failed(*, ticket, rule_name: str, rule_id: int | None, action: str, error: str):
    return events.record(
        ticket=ticket,
        kind=RULE_FAILED,
        actor=None,
        data={"rule": rule_name, "rule_id": rule_id, "action": action, "error": error},
    )

"""The Article 6 notifications: every step of an increase request and every ceiling warning goes to the seller
(the ticket's requester), in the ticket's words (`tickets.notifications.register_kind`), in a group of its own
that only customers are offered (staff follow the requests in their queue). Registered from `LimitsConfig.ready()`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications import registry
from tickets import notifications as ticket_notifications

from . import events

LIMITS = "limits"

KINDS = (*events.KIND_FOR_STATE.values(), events.CEILING_WARNING)


def register() -> None:
    registry.register_group(LIMITS, label=_("Sales ceilings"), staff=False, customers=True)
    for kind in KINDS:
        ticket_notifications.register_kind(kind, group=LIMITS, recipients=ticket_notifications.requester_only)

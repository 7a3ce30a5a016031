"""Extension points of the ticket services and pages for apps that `tickets` must not import.

The apps above tickets (`automation`, `knowledgebase`, `limits`, …) import tickets, never the reverse, yet they act
on tickets and add to the ticket pages. So tickets keeps small registries here; another app fills them from its
`AppConfig.ready()`, and tickets calls or renders whatever is registered (nothing, when no app registers):

    from tickets import hooks
    hooks.register_ticket_created(apply_rules)          # automation: every new ticket passes through the rules
    hooks.register_panel(hooks.STAFF_REPLY, "knowledgebase/…/reply_picker.html", context)  # the article picker
    hooks.register_portal_ticket_filed(record_outcome)  # knowledgebase: the self-service statistics

**Ticket created.** `ticket_create` calls each hook inside its transaction, after the ticket, its first message and
the `created` event are written, and notifies the `created` event after the hooks, so the new-ticket notice follows
the ticket as they left it (its department, its assignee). A hook receives the new ticket and changes it only
through the ticket services (so every change is a typed event on the timeline); while the hooks run,
`being_created(ticket_id)` is true for it. A hook that raises aborts the ticket creation, so a hook contains its own
failures when they should not cost the customer their ticket, through `helpdesk.transactions.optional_step` (the
automation rules do): never a bare `try/except`, which would hide a lost transaction.

**Panels** are fragments another app adds to a ticket page at a named slot: `(slot, template, context)`. While the
page is built, `context(request, ticket)` (the ticket is None on the new-ticket form) returns the panel's data, or
None to leave it out; it should not query the database (the pages' query counts are pinned; one that must, such
as inbound's held emails, runs one query and moves the page's pin). The page includes
`template` with the page's context plus `panel` (`panel.context` is that data).

**Ticket filed in the portal.** After a customer's ticket is created and committed, the portal view calls each hook
with the request and the ticket (the browser session is what the knowledge base's deflection statistics count).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from helpdesk.transactions import optional_step

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Ticket

logger = logging.getLogger(__name__)

# --- ticket created ---------------------------------------------------------------------------------------------

TicketCreatedHook = Callable[["Ticket"], None]

on_ticket_created: list[TicketCreatedHook] = []

# The ticket whose `on_ticket_created` hooks are running (in this thread or task), if any.
_creating: ContextVar[int | None] = ContextVar("tickets_creating", default=None)


def register_ticket_created(hook: TicketCreatedHook) -> None:
    """Call `hook(ticket)` for every new ticket (registering the same callable twice is harmless)."""
    if hook not in on_ticket_created:
        on_ticket_created.append(hook)


def run_ticket_created(ticket: Ticket) -> bool:
    """Run the hooks in registration order. Returns whether any ran (the caller then re-reads the ticket, since
    hooks change it through services that lock and save their own copy)."""
    hooks = list(on_ticket_created)
    token = _creating.set(ticket.pk)
    try:
        for hook in hooks:
            hook(ticket)
    finally:
        _creating.reset(token)
    return bool(hooks)


def being_created(ticket_id: int | None) -> bool:
    """Are the `on_ticket_created` hooks of this ticket running? (e.g. a rule's transfer of a ticket being filed)"""
    return ticket_id is not None and _creating.get() == ticket_id


# --- ticket types kept out of the portal ------------------------------------------------------------------------

# Ticket types that another app files through its own form (e.g. the Article 6 increase request, which needs its
# structured fields): still public for the ticket services, but never offered by the generic portal form.
portal_hidden_type_codes: set[str] = set()


def hide_type_from_portal(code: str) -> None:
    """Keep the ticket type with this `code` out of `selectors.public_types()` (the portal's type choices)."""
    portal_hidden_type_codes.add(code)


# --- panels on the ticket pages ---------------------------------------------------------------------------------

PORTAL_CREATE = "portal_create"  # the customer's new-ticket form, under the subject (ticket: None)
STAFF_REPLY = "staff_reply"  # the staff page, under the reply box (shown to those who may reply or note)
STAFF_SIDE = "staff_side"  # the staff page's side column, above the timeline
STAFF_MESSAGE = "staff_message"  # the staff page, under each message of the thread (`message` is in the context)
SLOTS = frozenset({PORTAL_CREATE, STAFF_REPLY, STAFF_SIDE, STAFF_MESSAGE})

PanelContext = Callable[["HttpRequest", "Ticket | None"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    slot: str
    template: str
    context: PanelContext


@dataclass(frozen=True)
class ShownPanel:
    template: str
    context: dict[str, Any]


panels: list[Panel] = []


def register_panel(slot: str, template: str, context: PanelContext) -> None:
    """Show `template` at `slot` whenever `context(request, ticket)` returns a dict (registering twice is harmless)."""
    if slot not in SLOTS:
        raise ValueError(f"unknown ticket page slot {slot!r}; the slots are {sorted(SLOTS)}")
    panel = Panel(slot=slot, template=template, context=context)
    if panel not in panels:
        panels.append(panel)


def panels_for(request: HttpRequest, *slots: str, ticket: Ticket | None = None) -> dict[str, list[ShownPanel]]:
    """The panels to show at each of `slots` on this page, in registration order (a list per slot, maybe empty)."""
    shown: dict[str, list[ShownPanel]] = {slot: [] for slot in slots}
    for panel in panels:
        if panel.slot in shown and (data := panel.context(request, ticket)) is not None:
            shown[panel.slot].append(ShownPanel(template=panel.template, context=data))
    return shown


# --- ticket filed in the portal ---------------------------------------------------------------------------------

PortalTicketFiledHook = Callable[["HttpRequest", "Ticket"], None]

on_portal_ticket_filed: list[PortalTicketFiledHook] = []


def register_portal_ticket_filed(hook: PortalTicketFiledHook) -> None:
    """Call `hook(request, ticket)` after a customer files a ticket in the portal (twice is harmless)."""
    if hook not in on_portal_ticket_filed:
        on_portal_ticket_filed.append(hook)


def run_portal_ticket_filed(request: HttpRequest, ticket: Ticket) -> None:
    """Run the hooks once the ticket is committed. A failing hook is logged and costs nothing else: the ticket is
    saved, and the customer must see that, not an error page.

    Each hook is an optional step in its own savepoint (`helpdesk.transactions.optional_step`): its writes are
    rolled back on failure. The request is not atomic (`ATOMIC_REQUESTS` is off), so the savepoint is the hook's
    own transaction and nothing else can be lost with it.
    """
    for hook in list(on_portal_ticket_filed):
        with optional_step(f"the hook {hook!r} after ticket #{ticket.reference} was filed in the portal", log=logger):
            hook(request, ticket)

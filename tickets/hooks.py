"""Extension points of the ticket services for apps that `tickets` must not import.

The dependency direction is `automation → tickets`, never the reverse, yet `ticket_create` must let the
automation rules (and round-robin routing) act on every new ticket, whatever the channel. So tickets keeps a
tiny registry: another app appends a callable from its `AppConfig.ready()`, and `ticket_create` calls each one
inside its transaction, after the ticket, its first message and the `created` event are written:

    from tickets import hooks
    hooks.register_ticket_created(apply_rules)   # e.g. automation.apps.AutomationConfig.ready()

A hook receives the new ticket and changes it only through the ticket services (so every change is a typed
event on the timeline). A hook that raises aborts the ticket creation, so a hook must catch and record its own
failures when they should not cost the customer their ticket (the automation rules do).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Ticket

TicketCreatedHook = Callable[["Ticket"], None]

on_ticket_created: list[TicketCreatedHook] = []


def register_ticket_created(hook: TicketCreatedHook) -> None:
    """Call `hook(ticket)` for every new ticket (registering the same callable twice is harmless)."""
    if hook not in on_ticket_created:
        on_ticket_created.append(hook)


def run_ticket_created(ticket: Ticket) -> bool:
    """Run the hooks in registration order. Returns whether any ran (the caller then re-reads the ticket, since
    hooks change it through services that lock and save their own copy)."""
    hooks = list(on_ticket_created)
    for hook in hooks:
        hook(ticket)
    return bool(hooks)


# Ticket types that another app files through its own form (e.g. the Article 6 increase request, which needs its
# structured fields): still public for the ticket services, but never offered by the generic portal form.
portal_hidden_type_codes: set[str] = set()


def hide_type_from_portal(code: str) -> None:
    """Keep the ticket type with this `code` out of `selectors.public_types()` (the portal's type choices)."""
    portal_hidden_type_codes.add(code)

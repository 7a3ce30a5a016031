"""Ticket services: every state change of a ticket goes through one of these functions.

Each is keyword-only, runs in one transaction, locks the ticket row for read-then-write, re-checks the
actor's permission (`tickets.permissions`), records a typed event (`tickets.events`) and calls
`notifications.outbox.notify(event)`. Refusals raise `TicketError` (a `ValidationError`) with a message
from `tickets.services.errors`.
"""

from .bulk import ACTIONS as BULK_ACTIONS
from .bulk import BulkResult, bulk_apply
from .canned import PLACEHOLDERS, render_canned, saved_filter_delete, saved_filter_save
from .csat import rating_submit
from .departments import department_set_people, employee_set_departments
from .errors import TicketError, TicketPermissionError
from .fields import (
    UNCHANGED,
    clean_tags,
    follower_add,
    follower_remove,
    ticket_add_tags,
    ticket_change_priority,
    ticket_change_type,
    ticket_set_due,
    ticket_set_pinned,
    ticket_set_tags,
)
from .messages import message_rebuild_html, note_add, reply_add
from .tickets import (
    requester_search_refresh,
    requester_tickets_lock,
    ticket_create,
    ticket_merge,
    ticket_rebuild_search_document,
)
from .workflow import ticket_assign, ticket_change_status, ticket_close, ticket_reopen, ticket_transfer

__all__ = [
    "BULK_ACTIONS",
    "PLACEHOLDERS",
    "UNCHANGED",
    "BulkResult",
    "TicketError",
    "TicketPermissionError",
    "bulk_apply",
    "clean_tags",
    "department_set_people",
    "employee_set_departments",
    "follower_add",
    "follower_remove",
    "message_rebuild_html",
    "note_add",
    "rating_submit",
    "render_canned",
    "reply_add",
    "requester_search_refresh",
    "requester_tickets_lock",
    "saved_filter_delete",
    "saved_filter_save",
    "ticket_add_tags",
    "ticket_assign",
    "ticket_change_priority",
    "ticket_change_status",
    "ticket_change_type",
    "ticket_close",
    "ticket_create",
    "ticket_merge",
    "ticket_rebuild_search_document",
    "ticket_reopen",
    "ticket_set_due",
    "ticket_set_pinned",
    "ticket_set_tags",
    "ticket_transfer",
]

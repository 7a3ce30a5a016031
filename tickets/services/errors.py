"""Errors raised by the ticket services. Messages are module constants so views show them and tests assert them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class TicketError(ValidationError):
    """A refused ticket action. A `ValidationError`, so a form can show it: `form.add_error(None, exc)`."""


class TicketPermissionError(TicketError):
    """The actor may not do this to this ticket (views normally never offer it; treat as 404/403)."""


ERR_NOT_ALLOWED = _("You are not allowed to do this on this ticket.")
ERR_CLOSED = _("This ticket is closed; it can't be changed any more.")
ERR_TRANSITION = _("A ticket can't go from “%(old)s” to “%(new)s”.")
ERR_SUBJECT_REQUIRED = _("Write a subject for the ticket.")
ERR_SUBJECT_TOO_LONG = _("The subject can be at most %(limit)s characters.")
ERR_BODY_REQUIRED = _("Write the text of the message.")
ERR_DEPARTMENT_REQUIRED = _("Choose a department.")
ERR_DEPARTMENT_NOT_AVAILABLE = _("This department doesn't accept tickets from customers.")
ERR_DEPARTMENT_INACTIVE = _("This department is no longer active.")
ERR_TYPE_NOT_AVAILABLE = _("This ticket type isn't available.")
ERR_PRIORITY_NOT_AVAILABLE = _("This priority isn't available.")
ERR_ATTACHMENT_REQUIRED = _("Tickets of type “%(type)s” need at least one attached file.")
ERR_REQUESTER_REQUIRED = _("Choose the customer this ticket is for.")
ERR_REQUESTER_MISMATCH = _("Customers can only file tickets for themselves.")
ERR_CUSTOMER_FIELDS = _("Customers can't set internal tickets, assignees or tags.")
ERR_AGENT_NOT_STAFF = _("Only active staff members can be assigned tickets.")
ERR_AGENT_NOT_IN_DEPARTMENT = _("%(agent)s isn't a member of the department “%(department)s”.")
ERR_TRANSFER_NOTHING = _("Choose another department or another agent to transfer the ticket to.")
ERR_REOPEN_NOT_RESOLVED = _("Only a resolved ticket can be reopened.")
ERR_STATUS_BY_CUSTOMER = _("Customers can't set the status while replying.")
ERR_FOLLOWER_NOT_ALLOWED = _("%(user)s can't follow this ticket.")
ERR_MERGE_SAME = _("A ticket can't be merged into itself.")
ERR_MERGE_REQUESTER = _("Only tickets of the same requester can be merged.")
ERR_MERGE_INTERNAL = _("An internal ticket can't be merged into a customer's ticket.")
ERR_TAG_TOO_LONG = _("A tag can be at most %(limit)s characters.")
ERR_DUE_ORDER = _("The first response can't be due after the resolution.")
ERR_DEPARTMENTS_NOT_STAFF = _("Only staff members can work in or supervise a department.")
ERR_DEPARTMENTS_NOT_ALLOWED = _("You are not allowed to change who works in the departments.")
ERR_RATING_SCORE = _("Choose a rating from 1 to 5.")
ERR_RATING_COMMENT_TOO_LONG = _("The comment can be at most %(limit)s characters.")
ERR_RATING_CLOSED = _("This rating link is no longer valid: the ticket was reopened or the seven days have passed.")

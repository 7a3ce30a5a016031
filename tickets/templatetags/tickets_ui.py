"""Small display helpers for the ticket pages: `{% load tickets_ui %}`."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from helpdesk.templatetags.persian import localize_digits

from ..models import Status

register = template.Library()

STATUS_CLASSES = {
    Status.NEW: "text-bg-primary",
    Status.OPEN: "text-bg-info",
    Status.WAITING: "text-bg-warning",
    Status.ON_HOLD: "text-bg-secondary",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-dark",
}
SOON_SECONDS = 4 * 3600  # a due date closer than this is shown as "due soon"


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.inclusion_tag("tickets/_due_badge.html")
def due_badge(ticket, field: str = "resolution_due"):
    """Time left until a due date, or how long it is overdue (only while the ticket still needs work)."""
    due = getattr(ticket, field, None)
    if due is None or not ticket.is_active:
        return {"show": False}
    now = timezone.now()
    if due <= now:
        text = _("Overdue by %(time)s") % {"time": timesince(due, now, depth=1)}
        css = "text-bg-danger"
    else:
        text = _("%(time)s left") % {"time": timeuntil(due, now, depth=1)}
        css = "text-bg-warning" if (due - now).total_seconds() < SOON_SECONDS else "text-bg-light border"
    return {"show": True, "text": localize_digits(text), "css": css, "due": due}


@register.simple_tag
def page_url(querystring: str, number) -> str:
    """`?<current filters>&page=N` for pagination links that keep the filters."""
    return f"?{querystring}&page={number}" if querystring else f"?page={number}"

"""Display helpers for the ticket pages: `{% load tickets_ui %}`.

The queue renders hundreds of options and dozens of rows on every request, so its controls and badges are
built here with `format_html` instead of per-option widget templates (several times faster).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from helpdesk.templatetags.persian import jdatetime_filter, localize_digits

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


def due_state(ticket, field: str = "resolution_due") -> dict | None:
    """Time left until a due date, or how long it is overdue (only while the ticket still needs work)."""
    due = getattr(ticket, field, None)
    if due is None or not ticket.is_active:
        return None
    if getattr(ticket, "sla_paused_at", None) is not None:  # SLA: the due time moves on when work resumes
        return {"text": _("Clock paused"), "css": "text-bg-light border", "due": due}
    now = timezone.now()
    if due <= now:
        text = _("Overdue by %(time)s") % {"time": timesince(due, now, depth=1)}
        css = "text-bg-danger"
    else:
        text = _("%(time)s left") % {"time": timeuntil(due, now, depth=1)}
        css = "text-bg-warning" if (due - now).total_seconds() < SOON_SECONDS else "text-bg-light border"
    return {"text": localize_digits(text), "css": css, "due": due}


@register.simple_tag
def due_badge(ticket, field: str = "resolution_due"):
    state = due_state(ticket, field)
    if state is None:
        return ""
    return format_html(
        '<span class="badge {} tk-due" title="{}">{}</span>',
        state["css"],
        jdatetime_filter(state["due"]),
        state["text"],
    )


def _values(selected) -> set[str]:
    if selected is None:
        return set()
    if isinstance(selected, list | tuple | set):
        return {str(v) for v in selected if v not in (None, "")}
    return {str(selected)} if selected != "" else set()


def _options(choices: Iterable, chosen: set[str]):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield format_html('<optgroup label="{}">{}</optgroup>', value, mark_safe("".join(_options(label, chosen))))  # noqa: S308
        else:
            value = "" if value is None else str(value)
            yield format_html('<option value="{}"{}>{}</option>', value, " selected" if value in chosen else "", label)


@register.simple_tag
def tk_select(name: str, choices, selected=None, *, id: str = "", empty=None, multiple: bool = False, size: int = 0,  # noqa: A002
              css: str = "form-select"):  # fmt: skip
    """A `<select>` from (value, label) pairs (or (group, pairs)); `selected` a value or a list of values."""
    chosen = _values(selected)
    options = "".join(_options(choices, chosen))
    if empty is not None:
        options = format_html('<option value="">{}</option>', empty) + options
    attrs = format_html(' id="{}"', id) if id else ""
    if multiple:
        attrs += format_html(' multiple size="{}"', size or 4)
    return format_html('<select name="{}" class="{}"{}>{}</select>', name, css, attrs, mark_safe(options))  # noqa: S308


@register.simple_tag
def page_url(querystring: str, number) -> str:
    """`?<current filters>&page=N` for pagination links that keep the filters."""
    return f"?{querystring}&page={number}" if querystring else f"?page={number}"


@register.filter
def choice_label(choices, value) -> str:
    for key, label in choices or ():
        if str(key) == str(value):
            return label
    return ""


@register.simple_tag
def queue_rows(tickets):
    """The queue's table rows. Built in Python because this is the hottest loop of the busiest page: the same
    markup through template tags costs about 0.3 ms per row (see bench/results.md)."""
    detail_url = reverse("tickets:detail", args=[_URL_PLACEHOLDER])
    pinned_label, internal_label, nobody = _("Pinned"), _("Internal"), _("nobody")
    rows = []
    for ticket in tickets:
        ref = localize_digits(ticket.reference)
        url = detail_url.replace(_URL_PLACEHOLDER, ticket.reference)
        pin = format_html('<span title="{0}" aria-label="{0}">📌</span> ', pinned_label) if ticket.is_pinned else ""
        extras = (
            format_html(' <span class="badge text-bg-dark">{}</span>', internal_label) if ticket.is_internal else ""
        )
        tags = format_html_join(
            "",
            ' <span class="badge rounded-pill text-bg-light border">{}</span>',
            ((item.tag.name,) for item in ticket.tagged_items.all()),
        )
        priority = ticket.priority
        priority_html = (
            format_html(
                '<span class="tk-priority"><svg class="tk-dot" width="10" height="10" viewBox="0 0 10 10" '
                'aria-hidden="true" focusable="false"><circle cx="5" cy="5" r="5" fill="{}"/></svg> {}</span>',
                priority.colour,
                priority.name,
            )
            if priority is not None
            else ""
        )
        assignee = (
            format_html("{}", ticket.assignee.full_name)
            if ticket.assignee_id
            else format_html('<span class="text-body-secondary">{}</span>', nobody)
        )
        rows.append(
            format_html(
                "<tr{}>"
                '<td><input type="checkbox" class="form-check-input" name="tickets" value="{}" aria-label="{}"></td>'
                '<td class="text-nowrap">{}<a href="{}">#{}</a></td>'
                '<td><a href="{}">{}</a>{}{}</td><td>{}</td><td>{}</td><td>{}</td>'
                '<td><span class="badge {}">{}</span></td><td>{}</td>'
                '<td class="text-nowrap">{}</td>'
                '<td class="text-nowrap"><time datetime="{}">{}</time></td></tr>',
                mark_safe(' class="tk-pinned"') if ticket.is_pinned else "",  # noqa: S308
                ticket.pk,
                _("Select ticket #%(ref)s") % {"ref": ref},
                pin,
                url,
                ref,
                url,
                ticket.subject,
                extras,
                tags,
                ticket.requester.full_name if ticket.requester_id else "—",
                ticket.department.name,
                priority_html,
                status_class(ticket.status),
                ticket.get_status_display(),
                assignee,
                due_badge(ticket),
                ticket.last_activity_at.isoformat(),
                jdatetime_filter(ticket.last_activity_at),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every piece above went through format_html


_URL_PLACEHOLDER = "1000000"

"""Display helpers for the ticket pages: `{% load tickets_ui %}`.

The queue renders hundreds of options and dozens of rows on every request, so its controls and badges are
built here with `format_html` instead of per-option widget templates (several times faster).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from helpdesk.l10n import (
    digits,
    digits_function,
    format_datetime,
    format_datetime_function,
    format_file_size,
    to_tehran,
)

from ..models import Status
from ..options import Options, options_html
from ..options import escape as _e

register = template.Library()

STATUS_CLASSES: dict[str, str] = {
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
    return {"text": digits(text), "css": css, "due": due}


@register.simple_tag
def due_badge(ticket, field: str = "resolution_due"):
    state = due_state(ticket, field)
    if state is None:
        return ""
    return format_html(
        '<span class="badge {} tk-due" title="{}">{}</span>',
        state["css"],
        format_datetime(state["due"]),
        state["text"],
    )


def _values(selected) -> set[str]:
    if selected is None:
        return set()
    if isinstance(selected, list | tuple | set):
        return {str(v) for v in selected if v not in (None, "")}
    return {str(selected)} if selected != "" else set()


@register.simple_tag
def tk_select(name: str, choices, selected=None, *, id: str = "", empty=None, multiple: bool = False, size: int = 0,  # noqa: A002
              css: str = "form-select"):  # fmt: skip
    """A `<select>` from (value, label) pairs (or (group, pairs)) or `Options`; `selected` a value or a list."""
    chosen = _values(selected)
    options = choices.choosing(chosen) if isinstance(choices, Options) else options_html(choices, chosen)
    if empty is not None:
        options = f'<option value="">{_e(empty)}</option>{options}'
    attrs = f' id="{_e(id)}"' if id else ""
    if multiple:
        attrs += f' multiple size="{int(size or 4)}"'
    return mark_safe(f'<select name="{_e(name)}" class="{_e(css)}"{attrs}>{options}</select>')  # noqa: S308 - escaped


@register.simple_tag
def queue_table_rows(rows):
    """The queue's table rows (`tickets.selectors.QueueRow`s). Built in Python because this is the hottest loop
    of the busiest page: the same markup through template tags costs about 0.3 ms per row. Every value is
    escaped with `_e`."""
    detail_url = reverse("tickets:detail", args=[_URL_PLACEHOLDER])
    # Translated outside the f-strings below, where makemessages can see them.
    pinned, internal_label, nobody_label = _e(_("Pinned")), _e(_("Internal")), _e(_("nobody"))
    internal = f' <span class="badge text-bg-dark">{internal_label}</span>'
    nobody = f'<span class="text-body-secondary">{nobody_label}</span>'
    select_label = _("Select ticket #%(ref)s")
    status_labels = {value: _e(label) for value, label in Status.choices}  # translated once, not once a row
    # Below the `md` breakpoint the rows are cards (static/css/tickets.css): the cells carry their column's name.
    label = {
        name: _e(text)
        for name, text in (
            ("requester", _("Requester")),
            ("department", _("Department")),
            ("assignee", _("Assignee")),
            ("activity", _("Last activity")),
        )
    }
    to_digits, when = digits_function(), format_datetime_function()  # the language asked once, not per row
    html = []
    for row in rows:
        ref = to_digits(row.reference)
        url = _e(detail_url.replace(_URL_PLACEHOLDER, row.reference))
        pin = f'<span title="{pinned}" aria-label="{pinned}">📌</span> ' if row.is_pinned else ""
        tags = "".join(
            f' <span class="badge rounded-pill text-bg-light border"><bdi>{_e(tag)}</bdi></span>' for tag in row.tags
        )
        priority = (
            '<span class="tk-priority"><svg class="tk-dot" width="10" height="10" viewBox="0 0 10 10" '
            f'aria-hidden="true" focusable="false"><circle cx="5" cy="5" r="5" fill="{_e(row.priority_colour)}"/>'
            f"</svg> {_e(row.priority_name)}</span>"
            if row.priority_name is not None
            else ""
        )
        requester = f"<bdi>{_e(row.requester_name)}</bdi>" if row.requester_name is not None else "—"
        assignee = f"<bdi>{_e(row.assignee_name)}</bdi>" if row.assignee_id else nobody
        row_class = ' class="tk-pinned"' if row.is_pinned else ""
        html.append(
            f"<tr{row_class}>"
            f'<td class="tk-c-select"><label class="tk-tap"><input type="checkbox" class="form-check-input" '
            f'name="tickets" value="{int(row.pk)}" aria-label="{_e(select_label % {"ref": ref})}"></label></td>'
            f'<td class="tk-c-ref text-nowrap">{pin}<a href="{url}">#{_e(ref)}</a></td>'
            f'<td class="tk-c-subject"><a href="{url}" dir="auto">{_e(row.subject)}</a>'
            f"{internal if row.is_internal else ''}{tags}</td>"
            f'<td class="tk-c-requester" data-label="{label["requester"]}">{requester}</td>'
            f'<td class="tk-c-department" data-label="{label["department"]}"><bdi>{_e(row.department_name)}</bdi></td>'
            f'<td class="tk-c-priority">{priority}</td>'
            f'<td class="tk-c-status"><span class="badge {status_class(row.status)}">'
            f"{status_labels[row.status]}</span></td>"
            f'<td class="tk-c-assignee" data-label="{label["assignee"]}">{assignee}</td>'
            f'<td class="tk-c-due text-nowrap">{due_badge(row)}</td>'
            f'<td class="tk-c-activity text-nowrap" data-label="{label["activity"]}">'
            f'<time datetime="{row.last_activity_at.isoformat()}">'
            f"{_e(when(row.last_activity_at))}</time></td></tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 - every value above went through _e


_URL_PLACEHOLDER = "1000000"


@register.simple_tag
def tk_bound_select(bound_field, css: str = "form-select", choices=None):
    """A form's select field rendered like `tk_select` (label and errors are the template's), with its
    current value selected — instead of Django's template-per-option widget.

    `choices`: (value, label) pairs to offer instead of the field's own, for a model choice field whose
    queryset lists the same rows as a cached list (`selectors.queue_choices`); its empty label still comes first.
    The field's queryset still validates what is posted."""
    field = bound_field.field
    value = bound_field.value()
    required = " required" if field.required else ""
    invalid = " is-invalid" if bound_field.errors else ""
    if choices is None:
        choices = field.choices
    elif getattr(field, "empty_label", None) is not None:
        choices = [("", field.empty_label), *choices]
    options = options_html(choices, _values(value if isinstance(value, list | tuple) else [value]))
    return mark_safe(  # noqa: S308 - escaped by _e/_options
        f'<select name="{_e(bound_field.html_name)}" id="{_e(bound_field.auto_id)}" '
        f'class="{_e(css)}{invalid}"{required}>{options}</select>'
    )


@register.simple_tag
def tk_field(bound_field):
    """A form field as crispy-forms' Bootstrap 5 layout shows it (label, the widget with `form-control`, help
    text, errors), without its templates: the staff ticket page has six such fields on every request."""
    field = bound_field.field
    css = "form-control is-invalid" if bound_field.errors else "form-control"
    required = " requiredField" if field.required else ""
    asterisk = '<span class="asteriskField">*</span>' if field.required else ""
    help_text = (
        f'<div id="{_e(bound_field.auto_id)}_helptext" class="form-text">{_e(field.help_text)}</div>'
        if field.help_text
        else ""
    )
    errors = "".join(f'<div class="invalid-feedback d-block">{_e(error)}</div>' for error in bound_field.errors)
    return mark_safe(  # noqa: S308 - the widget is Django's rendering, everything else went through _e
        f'<div id="div_{_e(bound_field.auto_id)}" class="mb-3">'
        f'<label for="{_e(bound_field.id_for_label)}" class="form-label{required}">{_e(bound_field.label)}{asterisk}'
        f"</label>{bound_field.as_widget(attrs={'class': css})}{help_text}{errors}</div>"
    )


def _attachment_list(message) -> str:
    files = message.files  # a list, set by permissions.attach_files
    if not files:
        return ""
    download_url = reverse("tickets:attachment", args=[_URL_PLACEHOLDER])
    items = "".join(
        '<li class="list-inline-item"><a class="btn btn-sm btn-outline-secondary" '
        f'href="{_e(download_url.replace(_URL_PLACEHOLDER, str(int(file.pk))))}"'
        f"{'' if file.inline_safe else ' download'}>"
        f'<span aria-hidden="true">📎</span> <bdi>{_e(file.original_name)}</bdi> '
        f'<span class="text-body-secondary small">({_e(format_file_size(int(file.size)))})</span></a></li>'
        for file in files
    )
    return f'<ul class="list-inline tk-attachments mb-0 mt-2" aria-label="{_e(_("Attachments"))}">{items}</ul>'


@register.simple_tag(takes_context=True)
def tk_messages(context, messages, staff_view: bool = False):
    """Messages of a ticket's thread as cards: the author, its badges, the time, the stored HTML body
    (`Message.html`, sanitised when written), the attachments and the panels other apps add under a message
    (`panels.staff_message`, their own templates). Built in Python because a thread shows up to hundreds of
    messages: two included templates a message were most of what the thread cost besides its data; the labels,
    the language and the panels' templates are looked up once a thread, not once a message."""
    requester_id = context["ticket"].requester_id
    when = format_datetime_function()
    system = _e(_("The system"))
    note = f' <span class="badge text-bg-warning ms-1">{_e(_("Internal note"))}</span>'
    title = _(
        "The email it came in claims this sender, but its authentication (DMARC or DKIM) did not pass: the "
        "sender may be forged."
    )
    unverified = f' <span class="badge text-bg-danger ms-1" title="{_e(title)}">{_e(_("Unverified sender"))}</span>'
    engine = context.template.engine
    shown = [
        (panel, engine.get_template(panel.template))
        for panel in (context.get("panels") or {}).get("staff_message") or ()
    ]
    cards = []
    for message in messages:
        if message.is_internal:
            kind = "tk-note"
        elif message.author_id == requester_id:
            kind = "tk-from-customer"
        else:
            kind = "tk-from-staff"
        author = message.author
        name = f"<bdi>{_e(author.full_name or author)}</bdi>" if author is not None else system
        badges = note if message.is_internal else ""
        if staff_view and message.sender_unverified:
            badges += unverified
        if message.channel not in ("web", "staff"):
            badges += f' <span class="badge text-bg-light border ms-1">{_e(message.get_channel_display())}</span>'
        panels = ""
        for panel, panel_template in shown:
            with context.push(message=message, panel=panel):
                panels += panel_template.render(context)
        created = to_tehran(message.created_at)
        cards.append(
            f'<article class="card tk-message mb-3 {kind}" id="message-{int(message.pk)}">'
            '<header class="card-header d-flex flex-wrap justify-content-between align-items-center gap-2">'
            f"<span><strong>{name}</strong>{badges}</span>"
            f'<time class="small text-body-secondary" datetime="{_e(created.isoformat())}">'
            f"{_e(when(created))}</time></header>"
            f'<div class="card-body"><div class="tk-body" dir="auto">{message.html}</div>'
            f"{_attachment_list(message)}{panels}</div></article>"
        )
    return mark_safe("".join(cards))  # noqa: S308 - every value went through _e; the bodies are the sanitised stored HTML


@register.simple_tag
def tk_timeline(events):
    """A ticket's timeline (`TicketEvent`s, the actors selected with them): when, and the event's sentence."""
    items = []
    to_digits, when = digits_function(), format_datetime_function()  # the language asked once, not per event
    for event in events:
        created = to_tehran(event.created_at)
        items.append(
            f'<li class="tk-event tk-event-{_e(event.kind)}"><time class="small text-body-secondary d-block" '
            f'datetime="{_e(created.isoformat())}">{_e(when(created))}</time>'
            f"{_e(to_digits(event.description))}</li>"
        )
    return mark_safe(f'<ol class="list-unstyled tk-timeline mb-0">{"".join(items)}</ol>')  # noqa: S308 - _e

"""Staff working a ticket: each form posts to one of these views, which calls its service (the sidebar's one
form: one service per changed field) and redirects back to the ticket with a message (errors too). Anyone but
staff gets a 404, like a ticket that doesn't exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from helpdesk.l10n import digits

from .. import presence, services
from ..forms import CannedInsertForm, MergeForm, StaffReplyForm, TicketUpdateForm
from ..models import Ticket
from ._common import (
    form_errors_text,
    is_htmx,
    report_service_error,
    run_service,
    staff_required,
    to_ticket,
    visible_ticket,
)
from .ticket import _load, render_staff_page

if TYPE_CHECKING:
    from accounts.models import User


def _invalid(request, ticket: Ticket, form):
    messages.error(request, form_errors_text(form))
    return to_ticket(ticket)


@staff_required
@require_POST
def ticket_note(request, reference: str):
    """An internal note (never shown to customers): `note_add`."""
    ticket = visible_ticket(request, reference)
    form = StaffReplyForm(request.POST, request.FILES, ticket=ticket)  # the same box as replies
    if form.is_valid():
        try:
            services.note_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            presence.leave(ticket_id=ticket.pk, user=request.user)
            messages.success(request, _("Your internal note was added."))
            return to_ticket(ticket, "thread-end")
    return render_staff_page(request, _load(request, reference), reply_form=form, status=400)


@staff_required
@require_http_methods(["POST"])
def ticket_canned(request, reference: str):
    """Put a canned response (F03), placeholders filled, after the draft in the reply box.

    With htmx: returns the reply box's textarea. Without JavaScript: the whole page with the box filled in.
    """
    ticket = _load(request, reference)
    form = CannedInsertForm(request.POST, user=request.user, ticket=ticket)
    draft = request.POST.get("body", "")
    if form.is_valid():
        text = services.render_canned(response=form.cleaned_data["canned"], ticket=ticket, agent=request.user)
        draft = f"{draft.rstrip()}\n\n{text}" if draft.strip() else text
    elif not is_htmx(request):
        messages.error(request, form_errors_text(form))
    data = request.POST.copy()
    data["body"] = draft
    reply_form = StaffReplyForm(data, ticket=ticket)
    if is_htmx(request):
        return render(request, "tickets/_reply_body.html", {"reply_form": reply_form})
    return render_staff_page(request, ticket, reply_form=_unbound_copy(reply_form, ticket))


def _unbound_copy(form: StaffReplyForm, ticket: Ticket) -> StaffReplyForm:
    """The reply form pre-filled (not validated, so no "required" errors show) with what was posted."""
    fields = ("body", "status", "last_seen", "confirm")
    return StaffReplyForm(ticket=ticket, initial={f: form.data.get(f) for f in fields if form.data.get(f)})


@staff_required
@require_POST
def ticket_take(request, reference: str):
    ticket = visible_ticket(request, reference)
    return run_service(
        request,
        ticket,
        lambda: services.ticket_assign(ticket=ticket, agent=request.user, actor=request.user),
        _("You took the ticket."),
    )


@staff_required
@require_POST
def ticket_update(request, reference: str):
    """The sidebar's one form: each changed field goes through its own service (one timeline entry each),
    unchanged fields through none, all in one transaction. A refusal saves nothing and shows the form again
    with what was typed and the reason."""
    ticket = visible_ticket(request, reference)
    form = TicketUpdateForm(request.POST, ticket=ticket)
    if form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return to_ticket(ticket)
        try:
            with transaction.atomic():
                _apply_changes(ticket, changes, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:  # rolled back as a whole: nothing of it was saved
            form.add_error(None, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return to_ticket(ticket)
    return render_staff_page(request, _load(request, reference), update_form=form, status=400)


def _apply_changes(ticket: Ticket, changes: dict, *, actor: User, note: str) -> None:
    """One service call per changed field, in a fixed order: the attributes, then the status, then who holds
    the ticket (a transfer may take it out of the actor's hands, so it comes last)."""
    if "priority" in changes:
        services.ticket_change_priority(ticket=ticket, priority=changes["priority"], actor=actor)
    if "type" in changes:
        services.ticket_change_type(ticket=ticket, type=changes["type"], actor=actor)
    if "tags" in changes:
        services.ticket_set_tags(ticket=ticket, tags=changes["tags"], actor=actor)
    due = {name: changes[name] for name in ("first_response_due", "resolution_due") if name in changes}
    if due:
        services.ticket_set_due(ticket=ticket, actor=actor, **due)
    if "status" in changes:
        services.ticket_change_status(ticket=ticket, status=changes["status"], actor=actor)
    if "department" in changes:
        services.ticket_transfer(
            ticket=ticket, department=changes["department"], agent=changes.get("assignee"), actor=actor, note=note
        )
    elif "assignee" in changes:
        services.ticket_assign(ticket=ticket, agent=changes["assignee"], actor=actor)


@staff_required
@require_POST
def ticket_pin(request, reference: str):
    ticket = visible_ticket(request, reference)
    pinned = request.POST.get("pinned") == "1"
    return run_service(
        request,
        ticket,
        lambda: services.ticket_set_pinned(ticket=ticket, pinned=pinned, actor=request.user),
        _("The ticket was pinned.") if pinned else _("The ticket was unpinned."),
    )


@staff_required
@require_POST
def ticket_merge(request, reference: str):
    """Merge this ticket into another (the other one stays; this one is closed and points to it)."""
    ticket = visible_ticket(request, reference)
    form = MergeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _invalid(request, ticket, form)
    target = form.cleaned_data["target"]
    try:
        services.ticket_merge(source=ticket, target=target, actor=request.user)
    except ValidationError as exc:
        report_service_error(request, exc)
        return to_ticket(ticket)
    messages.success(request, _("The ticket was merged into #%(ref)s.") % {"ref": digits(target.reference)})
    return to_ticket(target)


# --- presence (B7) --------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def ticket_presence(request, reference: str):
    """htmx poll: record that this agent has the ticket open (viewing/writing); return who else has."""
    ticket = visible_ticket(request, reference)
    state = request.POST.get("state") or request.GET.get("state") or presence.VIEWING
    presence.touch(ticket_id=ticket.pk, user=request.user, state=state)
    others = presence.others(ticket_id=ticket.pk, user=request.user)
    response = render(request, "tickets/_presence.html", {"others": others})
    response["Cache-Control"] = "no-store"
    return response


@staff_required
@require_POST
def ticket_presence_leave(request, reference: str):
    ticket = visible_ticket(request, reference)
    presence.leave(ticket_id=ticket.pk, user=request.user)
    return HttpResponse(status=204)

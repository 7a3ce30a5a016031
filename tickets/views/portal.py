"""The customer portal: "my tickets" and filing a new ticket (F01, G3, G6)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from helpdesk.l10n import digits

from .. import hooks, permissions, selectors, services
from ..forms import TicketCreateForm
from ..models import Channel
from ._common import paginate, to_ticket


@login_required
@require_GET
def portal(request):
    """The customer's tickets (and the organisation's when it shares them), newest activity first."""
    if permissions.is_staff_user(request.user):
        return redirect("tickets:queue")
    page_obj = paginate(request, selectors.portal_tickets(user=request.user))
    return render(request, "tickets/portal.html", {"page_obj": page_obj})


def _type_templates() -> dict:
    """For the page's script: each public type's description template and whether it needs a file."""
    return {
        str(t.pk): {"template": t.description_template, "attachment_required": t.attachment_required}
        for t in selectors.public_types().only("pk", "description_template", "attachment_required")
    }


def _initial_from_type(request) -> dict:
    """`?type=<id>` (the no-JavaScript way to pick a type) pre-fills the text with the type's template,
    keeping what was already typed in the other fields."""
    initial = {key: request.GET[key][:5000] for key in ("subject", "body", "department") if request.GET.get(key)}
    type_id = request.GET.get("type", "")
    ticket_type = selectors.public_types().filter(pk=int(type_id)).first() if type_id.isdigit() else None
    if ticket_type is None:
        return initial
    initial["type"] = ticket_type
    if not initial.get("body", "").strip():
        initial["body"] = ticket_type.description_template
    if ticket_type.default_department_id and "department" not in initial:
        initial["department"] = ticket_type.default_department_id
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def ticket_create(request):
    if permissions.is_staff_user(request.user):
        return redirect("tickets:staff_create")
    if request.method == "POST":
        form = TicketCreateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_create(
                    requester=request.user,
                    department=data["department"],
                    type=data["type"],
                    subject=data["subject"],
                    body=data["body"],
                    attachments=data["attachments"],
                    channel=Channel.WEB,
                    created_by=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                hooks.run_portal_ticket_filed(request, ticket)
                messages.success(
                    request,
                    _("Your ticket #%(ref)s was sent. We will answer you here.") % {"ref": digits(ticket.reference)},
                )
                return to_ticket(ticket)
    else:
        form = TicketCreateForm(initial=_initial_from_type(request))
    context = {
        "form": form,
        "type_templates": _type_templates(),
        "panels": hooks.panels_for(request, hooks.PORTAL_CREATE),
    }
    return render(request, "tickets/create.html", context, status=400 if form.is_bound else 200)

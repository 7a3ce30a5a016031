"""The agent queue (F06, F24, G5): filters, quick views, saved filters and bulk actions."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from helpdesk.l10n import digits

from .. import permissions, selectors, services
from ..filters import (
    VIEW_ALL,
    VIEW_MINE,
    VIEW_MY_DEPARTMENTS,
    VIEW_OVERDUE,
    VIEW_UNASSIGNED,
)
from ..forms import BulkActionForm, SavedFilterForm
from ..models import SavedFilter, Status
from ..options import cached_options
from ._common import form_errors_text, paginate, safe_next, staff_required

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# The queue counts at most this many matching tickets ("more than 1,000"); see CappedPaginator.
COUNT_CAP = 1000
# Parameters that are not filters (kept out of saved filters and of the page links' query string).
NON_FILTER_PARAMS = ("page",)
# The version of the option lists that change only with the code (`_controls`).
FIXED = "fixed"


def _querystring(params, *, drop=NON_FILTER_PARAMS) -> str:
    return urlencode([(k, v) for k, values in params.lists() for v in values if k not in drop and v != ""])


def _quick_views(user: User | AnonymousUser, current: str) -> list[dict]:
    views = [
        ("", _("Everything I can see")),
        (VIEW_MINE, _("Mine")),
        (VIEW_UNASSIGNED, _("Unassigned")),
        (VIEW_OVERDUE, _("Overdue")),
        (VIEW_MY_DEPARTMENTS, _("My departments")),
    ]
    if permissions.sees_everything(user):
        views.append((VIEW_ALL, _("All")))
    base = reverse("tickets:queue")
    return [
        {"key": key, "label": label, "url": f"{base}?view={key}" if key else base, "active": key == current}
        for key, label in views
    ]


def _controls(request, filterset) -> dict:
    """What the filter and bulk forms render: their choice lists and the submitted values.

    The queue renders these with `tickets_ui.tk_select` rather than Django's widget templates, which render
    a template per option and would dominate the page's time. Each list's option HTML is built once a process
    (`cached_options`): the fixed lists once a language, the choice lists again when they change
    (`selectors.queue_choices`, read once with the filter).
    """
    fields = filterset.form.fields
    choices = filterset.choices
    version = choices["version"]
    view = "view:all" if permissions.sees_everything(filterset.user) else "view"  # only they are offered "All"
    return {
        # What the cached markup of the filter and bulk forms varies on besides the language and the query string.
        "version": version,
        "view": view,
        # Every field's value, "" when not submitted: a failed template lookup is an exception, logged (a tenth of
        # a millisecond each).
        "values": {key: request.GET.get(key, "") for key in fields},
        "statuses": request.GET.getlist("status"),
        "view_choices": cached_options(view, FIXED, [c for c in fields["view"].choices if c[0] != ""]),
        "status_choices": cached_options("status", FIXED, fields["status"].choices),
        "channel_choices": cached_options("channel", FIXED, [c for c in fields["channel"].choices if c[0] != ""]),
        "sort_choices": cached_options("sort", FIXED, fields["sort"].choices),
        "assignee_choices": cached_options(
            "assignee", version, [c for c in fields["assignee"].widget.choices if c[0] != ""]
        ),
        "departments": cached_options("departments", version, choices["departments"]),
        "types": cached_options("types", version, choices["types"]),
        "priorities": cached_options("priorities", version, choices["priorities"]),
        "staff": cached_options("staff", version, choices["staff"]),
        "bulk_actions": cached_options(
            "bulk_actions",
            FIXED,
            BulkActionForm.base_fields["action"].choices,  # type: ignore[attr-defined]  # a ChoiceField
        ),
        "bulk_statuses": cached_options("bulk_statuses", FIXED, Status.choices),
    }


@staff_required
@require_GET
def queue(request):
    """Server-rendered, paginated with the admin's page size; pinned tickets first, then the chosen sort."""
    user = request.user
    filterset, tickets = selectors.ticket_queue(user=user, params=request.GET)
    page_obj = paginate(request, tickets, cap=COUNT_CAP)
    page_obj.object_list = selectors.queue_rows(page_obj.object_list)
    querystring = _querystring(request.GET)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "querystring": querystring,
        "quick_views": _quick_views(user, request.GET.get("view", "")),
        "saved_filters": selectors.saved_filters(user=user),
        "controls": _controls(request, filterset),
        "date_example": digits("1403/01/31"),
        "no_department": False,
    }
    if not page_obj.object_list and selectors.works_in_no_department(user=user):
        context["site_admins"] = selectors.site_admins()  # an empty queue because of no department: who can fix it
        context["no_department"] = True
    return render(request, "tickets/queue.html", context)


@staff_required
@require_GET
def queue_counters(request):
    """The counters at the top of the queue, loaded by the queue page after it is shown (htmx): one query."""
    return render(request, "tickets/_counters.html", {"counters": selectors.queue_counters(user=request.user)})


@staff_required
@require_POST
def saved_filter_save(request):
    form = SavedFilterForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(safe_next(request, reverse("tickets:queue")))
    saved = services.saved_filter_save(
        owner=request.user, name=form.cleaned_data["name"], querystring=form.cleaned_data["querystring"]
    )
    messages.success(request, _("The filter “%(name)s” was saved.") % {"name": saved.name})
    return redirect(f"{reverse('tickets:queue')}?{saved.querystring}" if saved.querystring else "tickets:queue")


@staff_required
@require_POST
def saved_filter_delete(request, pk: int):
    saved = get_object_or_404(SavedFilter.objects.filter(owner=request.user), pk=pk)
    services.saved_filter_delete(saved_filter=saved, actor=request.user)
    messages.success(request, _("The filter “%(name)s” was deleted.") % {"name": saved.name})
    return redirect(safe_next(request, reverse("tickets:queue")))


@staff_required
@require_POST
def bulk_action(request):
    """Apply one action to the checked tickets (only those the user can see), each through its service."""
    form = BulkActionForm(request.POST)
    back = safe_next(request, reverse("tickets:queue"))
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect(back)
    tickets = permissions.visible_tickets(request.user).filter(pk__in=form.cleaned_data["tickets"]).order_by("pk")
    result = services.bulk_apply(
        tickets=tickets, action=form.cleaned_data["action"], actor=request.user, **form.params()
    )
    if result.done:
        count = len(result.done)
        messages.success(
            request,
            ngettext("%(count)s ticket was updated.", "%(count)s tickets were updated.", count)
            % {"count": digits(count)},
        )
    for ticket, reason in result.failed:
        messages.error(request, _("#%(ref)s: %(reason)s") % {"ref": digits(ticket.reference), "reason": reason})
    if not result.done and not result.failed:
        messages.error(request, _("None of the selected tickets could be found."))
    return redirect(back)

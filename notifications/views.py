"""The panel notifications (F21): the bell, the list, mark as read; and the preferences page.

Every lookup goes through `selectors.panel_notifications(user=…)`: someone else's notification is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpdesk.site import get_site_settings

from . import outbox, preferences, selectors
from .forms import CHANNEL_LABELS, PreferencesForm

CHANGED = "notifications-changed"  # htmx event: the bell refreshes itself on it


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def bell(request):
    """The unread count (htmx polls it). Anonymous: 204, so an expired session never swaps a login page in."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    count = selectors.unread_count(user=request.user)
    return render(request, "notifications/_bell_count.html", {"count": count})


@login_required
@require_GET
def notification_list(request):
    paginator = Paginator(selectors.panel_notifications(user=request.user), get_site_settings().records_per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    unread = selectors.unread_count(user=request.user)
    return render(request, "notifications/list.html", {"page_obj": page_obj, "unread": unread})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(selectors.panel_notifications(user=request.user), pk=pk)
    outbox.notification_mark_read(notification=notification, user=request.user)
    if (
        request.POST.get("open")
        and notification.link
        and url_has_allowed_host_and_scheme(
            notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(notification.link)
    if _is_htmx(request):
        response = render(request, "notifications/_item.html", {"notification": notification})
        response["HX-Trigger"] = CHANGED
        return response
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request):
    count = outbox.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences_edit(request):
    user = request.user
    form = PreferencesForm(request.POST or None, user=user, table=preferences.preferences_table(user))
    if request.method == "POST" and form.is_valid():
        preferences.preferences_save(user=user, table=form.table())
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notifications:preferences")
    context = {
        "form": form,
        "channels": list(CHANNEL_LABELS.values()),
        "has_email": bool(user.email),
        "has_mobile": bool(user.mobile),
    }
    return render(request, "notifications/preferences.html", context)


@login_required
@require_POST
def preferences_reset(request):
    preferences.preferences_reset(user=request.user)
    messages.success(request, _("Your notifications follow the defaults of your access level again."))
    return redirect("notifications:preferences")

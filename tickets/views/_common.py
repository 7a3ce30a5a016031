"""Small helpers shared by the ticket views: scoped lookups, pagination, messages."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme

from helpdesk.site import get_site_settings

from .. import permissions
from ..models import Ticket


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def staff_required(view):
    """Logged-in staff only; anyone else gets the same 404 as a page that doesn't exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_staff_user(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def visible_ticket(request, reference: str) -> Ticket:
    """The ticket if the user may see it, else 404 (exactly like a ticket that doesn't exist)."""
    return get_object_or_404(permissions.visible_tickets(request.user), reference=reference)


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows (`SELECT COUNT(*) FROM (… LIMIT cap+1)`, without ORDER BY).

    An exact COUNT(*) must visit every matching row — tens of thousands in a busy queue, all of them for a
    keyword search on SQLite — while the page itself needs only 25. Past the cap the page says "more than
    N" and the last reachable page is the cap's; narrowing the filters brings the rest into reach.
    """

    object_list: QuerySet  # a queryset, counted with a LIMIT

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _capped_count(self) -> tuple[int, bool]:
        found = self.object_list.order_by()[: self.cap + 1].count()
        return min(found, self.cap), found > self.cap

    @cached_property
    def count(self) -> int:
        return self._capped_count[0]

    @property
    def capped(self) -> bool:
        return self._capped_count[1]


def paginate(request, queryset, *, cap: int | None = None):
    per_page = get_site_settings().records_per_page
    paginator = Paginator(queryset, per_page) if cap is None else CappedPaginator(queryset, per_page, cap=cap)
    return paginator.get_page(request.GET.get("page"))


def error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def form_errors_text(form) -> str:
    """All of a form's errors as one sentence list, for a message after a redirect."""
    parts = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return " ".join(parts)


def report_service_error(request, exc: ValidationError) -> None:
    messages.error(request, error_text(exc))


def safe_next(request, default: str) -> str:
    """A same-site URL from `next` (POST or GET), or `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


def to_ticket(ticket: Ticket, anchor: str = ""):
    url = reverse("tickets:detail", args=[ticket.reference])
    return redirect(f"{url}#{anchor}" if anchor else url)


def run_service(request, ticket: Ticket, action, success: str, anchor: str = ""):
    """Call `action()` (one service); report its refusal or `success` as a message; back to the ticket."""
    try:
        action()
    except ValidationError as exc:
        report_service_error(request, exc)
    else:
        messages.success(request, success)
    return to_ticket(ticket, anchor)

"""Staff pages: the list of requests, the step actions, recompute, usage entry, CSV imports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.site import get_site_settings

from .. import banner, permissions, selectors, services, text
from ..forms import ImportForm, UsageForm
from ..periods import Period
from .sellers import _taxpayer_page, request_page
from .staff_actions import ACTIONS, may_take

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def _require_staff(user: User | AnonymousUser) -> None:
    if not permissions.is_staff(user):
        raise Http404


@login_required
def request_list(request):
    """Every request the user may handle: state, taxpayer, period, days left; sortable, filterable, paginated."""
    _require_staff(request.user)
    filterset, requests = selectors.request_queue(permissions.visible_requests(request.user), request.GET)
    page = Paginator(requests, get_site_settings().records_per_page).get_page(request.GET.get("page"))
    now = timezone.now()
    for increase in page:
        increase.days_left = increase.period.days_left(now)
    return render(
        request,
        "limits/request_list.html",
        {"filter": filterset, "page_obj": page, "years_notice": banner.missing_years_notice(request.user)},
    )


@require_POST
@login_required
def request_action(request, pk: int, action: str):
    increase = get_object_or_404(
        permissions.visible_requests(request.user).select_related("taxpayer", "ticket", "filed_by"), pk=pk
    )
    step = ACTIONS.get(action)
    if step is None or not may_take(request.user, increase, step):
        raise Http404
    form = step.make_form(increase, request.POST)
    if form.is_valid():
        try:
            step.run(request=increase, actor=request.user, **form.cleaned_data)
        except services.LimitsPermissionError:
            raise Http404 from None
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Done: the request is now “%(state)s”.") % {"state": step.target.label})
            return redirect("limits:request_detail", pk=increase.pk)
    return request_page(request, increase, forms={step.name: form}, status=400)


def show_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field errors on their fields, the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_POST
@login_required
def recompute(request, pk: int):
    """Staff recompute the current period's initial ceiling from the current figures (usage and increases stay)."""
    _require_staff(request.user)
    taxpayer = get_object_or_404(permissions.visible_taxpayers(request.user), pk=pk)
    period = Period.current()
    try:
        ceiling = services.ceiling_compute(taxpayer=taxpayer, period=period, actor=request.user, recompute=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The ceiling of %(period)s is %(amount)s rials.")
            % {"period": text.period_text(period), "amount": text.rials(ceiling.total)},
        )
    return redirect("limits:taxpayer_detail", pk=taxpayer.pk)


@require_POST
@login_required
def usage_add(request, pk: int):
    _require_staff(request.user)
    taxpayer = get_object_or_404(permissions.visible_taxpayers(request.user), pk=pk)
    current = Period.current()
    form = UsageForm(request.POST, periods=[current, current.previous()])
    if form.is_valid():
        try:
            services.usage_record(
                taxpayer=taxpayer,
                period=form.cleaned_data["period"],
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
                actor=request.user,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The usage was recorded."))
            return redirect("limits:taxpayer_detail", pk=taxpayer.pk)
    return _taxpayer_page(request, taxpayer, usage_form=form, status=400)


@login_required
def figures_import(request):
    """Import prior-period figures or usage from CSV: all rows or none, with a per-row report."""
    _require_staff(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if form.cleaned_data["kind"] == "figures":
            report = services.figures_import_csv(file=upload, actor=request.user, filename=upload.name)
        else:
            report = services.usage_import_csv(file=upload, actor=request.user)
        if report.ok:
            messages.success(
                request,
                _("Imported: %(created)s new rows, %(updated)s replaced.")
                % {"created": text.rials(report.created), "updated": text.rials(report.updated)},
            )
            return redirect("limits:import")
    status = 400 if (form.is_bound and form.errors) or (report and not report.ok) else 200
    context = {"form": form, "report": report, "years_notice": banner.missing_years_notice(request.user)}
    return render(request, "limits/import.html", context, status=status)

"""Pages of a taxpayer and its requests (sellers see their own; staff see all and get their actions there too)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.persian import clean_digits, normalize
from helpdesk.site import get_site_settings

from .. import banner, permissions, selectors, services
from ..forms import IncreaseRequestForm, UsageForm
from ..models import Taxpayer
from ..periods import Period
from .staff_actions import action_forms


def index(request):
    """/limits/: the calculator for visitors, the request list for staff, "my taxpayers" for customers."""
    if not request.user.is_authenticated:
        return redirect("limits:calculator")
    if permissions.is_staff(request.user):
        return redirect("limits:request_list")
    return taxpayer_list(request)


@login_required
def taxpayer_list(request):
    """Customers: their taxpayers. Staff: every taxpayer, searchable and paginated."""
    user = request.user
    current = Period.current()
    taxpayers = permissions.visible_taxpayers(user).order_by("name", "pk")
    query = (request.GET.get("q") or "").strip()
    if query and permissions.is_staff(user):
        digits = clean_digits(query)
        condition = Q(name__icontains=query) | Q(name__icontains=normalize(query))
        if digits.isdigit():
            condition |= Q(economic_code__startswith=digits) | Q(national_id__startswith=digits)
        taxpayers = taxpayers.filter(condition)
    page = Paginator(
        selectors.taxpayers_overview(taxpayers, period=current), get_site_settings().records_per_page
    ).get_page(request.GET.get("page"))
    missing = False
    for taxpayer in page:
        taxpayer.current_ceiling = taxpayer.current[0] if taxpayer.current else None
        missing = missing or taxpayer.current_ceiling is None
    return render(
        request,
        "limits/taxpayer_list.html",
        {
            "page_obj": page,
            "period": current,
            "query": query,
            "is_staff": permissions.is_staff(user),
            "missing_parameters": selectors.missing_parameters(current) if missing else None,
            "years_notice": banner.missing_years_notice(user),
        },
    )


def _taxpayer_page(request, taxpayer: Taxpayer, *, usage_form=None, status=200):
    user = request.user
    now = timezone.now()
    current = Period.current(now)
    ceilings = list(selectors.ceilings_of(taxpayer))
    current_ceiling = next((c for c in ceilings if c.period == current), None)
    staff = permissions.can_manage_figures(user)
    if staff and usage_form is None:
        usage_form = UsageForm(periods=[current, current.previous()])
    context = {
        "taxpayer": taxpayer,
        "period": current,
        "current_ceiling": current_ceiling,
        "missing_parameters": selectors.missing_parameters(current) if current_ceiling is None else None,
        "years_notice": banner.missing_years_notice(user),
        "past_ceilings": [c for c in ceilings if c.period < current],
        "requests": list(selectors.requests_of(taxpayer)[:50]),
        "can_file": permissions.can_file(user, taxpayer),
        "is_staff": staff,
        "usage_form": usage_form,
        "figures": list(taxpayer.figures.order_by("-year", "-quarter")[:8]) if staff else [],
    }
    return render(request, "limits/taxpayer_detail.html", context, status=status)


@login_required
def taxpayer_detail(request, pk: int):
    taxpayer = get_object_or_404(permissions.visible_taxpayers(request.user), pk=pk)
    return _taxpayer_page(request, taxpayer)


@login_required
def request_create(request, pk: int):
    """The seller's increase request form; the VAT on X is shown while typing (static/js/limits.js)."""
    taxpayer = get_object_or_404(permissions.seller_taxpayers(request.user), pk=pk)
    current = Period.current()
    # Only periods whose year has a VAT rate are offered; the page names the years that have none yet.
    periods, missing_years = selectors.fileable_periods([current, current.next()])
    form = IncreaseRequestForm(request.POST or None, request.FILES or None, periods=periods) if periods else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            increase = services.increase_request_file(
                taxpayer=taxpayer,
                period=data["period"],
                amount=data["amount"],
                signed_form=data["signed_form"],
                description=data["description"],
                filed_by=request.user,
            )
        except services.LimitsPermissionError:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your increase request was filed. Follow its progress here."))
            return redirect("limits:request_detail", pk=increase.pk)
    return render(
        request,
        "limits/request_form.html",
        {"taxpayer": taxpayer, "form": form, "period": current, "missing_years": missing_years},
        status=400 if request.method == "POST" and (form is None or form.errors) else 200,
    )


def request_page(request, increase, *, forms=None, status=200):
    """The request's page: its facts, its steps, and the actions the user may take now."""
    user = request.user
    context = {
        "increase": increase,
        "timeline": list(selectors.request_timeline(increase)),
        "actions": action_forms(user, increase, bound=forms or {}),
        "is_staff": permissions.is_staff(user),
        "days_left": increase.period.days_left(),
        "years_notice": banner.missing_years_notice(user),
    }
    return render(request, "limits/request_detail.html", context, status=status)


@login_required
def request_detail(request, pk: int):
    increase = get_object_or_404(
        permissions.visible_requests(request.user).select_related("taxpayer", "ticket", "filed_by"), pk=pk
    )
    return request_page(request, increase)

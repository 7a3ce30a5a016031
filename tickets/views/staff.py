"""Staff file tickets (F07): for a customer (found by name, email or mobile, or created on the spot), or
internal tickets addressed to another department or agent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.models import Role, User
from helpdesk.l10n import digits

from .. import selectors, services
from ..forms import CustomerQuickCreateForm, StaffTicketCreateForm
from ..models import Channel, Department
from ._common import is_htmx, staff_required, to_ticket

MSG_AGENT_HAS_NO_DEPARTMENT = gettext_lazy("%(agent)s isn't in any department; choose the department too.")


def _department_of(agent: User) -> Department | None:
    """The department an internal ticket addressed only to an agent goes to: the first one they work in."""
    return (
        Department.objects.filter(is_active=True)
        .filter(Q(members=agent) | Q(supervisors=agent))
        .order_by("name")
        .first()
    )


def _chosen_customer(value) -> User | None:
    """The customer already chosen (after an error, or `?requester=` after creating one), to show checked."""
    if not value or not str(value).isdigit():
        return None
    return User.objects.filter(pk=int(value), role=Role.CUSTOMER, is_active=True).select_related("organisation").first()


def _create(request, form: StaffTicketCreateForm):
    data = form.cleaned_data
    internal = data["kind"] == StaffTicketCreateForm.KIND_INTERNAL
    department = data["department"] or (data["type"].default_department if data["type"] else None)
    if department is None and data["assignee"] is not None:
        department = _department_of(data["assignee"])
        if department is None:
            form.add_error("department", MSG_AGENT_HAS_NO_DEPARTMENT % {"agent": data["assignee"].full_name})
            return None
    try:
        return services.ticket_create(
            requester=None if internal else data["requester"],
            department=department,
            subject=data["subject"],
            body=data["body"],
            type=data["type"],
            priority=data["priority"],
            channel=Channel.STAFF,
            attachments=data["attachments"],
            created_by=request.user,
            is_internal=internal,
            assignee=data["assignee"],
            tags=data["tags"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def staff_create(request):
    results = None
    if request.method == "POST" and "find" in request.POST:
        # No JavaScript: the "Find" button posts the form back; show the matches, keep what was typed.
        form = StaffTicketCreateForm(initial=request.POST.dict())
        results = selectors.search_customers(query=request.POST.get("customer_q", ""))
    elif request.method == "POST":
        form = StaffTicketCreateForm(request.POST, request.FILES)
        if form.is_valid():
            ticket = _create(request, form)
            if ticket is not None:
                messages.success(request, _("Ticket #%(ref)s was created.") % {"ref": digits(ticket.reference)})
                return to_ticket(ticket)
    else:
        form = StaffTicketCreateForm(initial={"requester": request.GET.get("requester")})
    context = {
        "form": form,
        "chosen": _chosen_customer(request.POST.get("requester") or request.GET.get("requester")),
        "results": results,
        "customer_q": request.POST.get("customer_q", ""),
        "customer_form": CustomerQuickCreateForm(),
    }
    failed = request.method == "POST" and results is None
    return render(request, "tickets/staff_create.html", context, status=400 if failed else 200)


@staff_required
@require_GET
def customer_search(request):
    """htmx: customers matching `customer_q` as radio buttons named `requester` (inside the create form)."""
    results = selectors.search_customers(query=request.GET.get("customer_q", ""))
    template = "tickets/_customer_results.html"
    if not is_htmx(request):
        return redirect(reverse("tickets:staff_create"))
    return render(request, template, {"results": results, "customer_q": request.GET.get("customer_q", "")})


@staff_required
@require_POST
def customer_create(request):
    """Create a customer on the spot (`accounts.services.customer_create`), then file the ticket for them."""
    form = CustomerQuickCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            customer = account_services.customer_create(
                full_name=data["full_name"],
                email=data["email"] or None,
                mobile=data["mobile"] or None,
                organisation=data["organisation"],
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The customer %(name)s was created.") % {"name": customer.full_name})
            return redirect(f"{reverse('tickets:staff_create')}?requester={customer.pk}")
    context = {
        "form": StaffTicketCreateForm(),
        "chosen": None,
        "results": None,
        "customer_q": "",
        "customer_form": form,
        "customer_form_open": True,
    }
    return render(request, "tickets/staff_create.html", context, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: per field when it names fields the form has."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)

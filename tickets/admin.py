"""Admin: configuration (departments F16, types F09, priorities F10, canned responses F03), the departments on a
staff member's page, and a read-mostly ticket browser. Tickets are never edited field by field here: changes go
through `tickets.services` (the admin actions below call them), so every change is a typed event and a
notification like anywhere else.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count, Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import admin as accounts_admin
from accounts.forms import EmployeeChangeForm, EmployeeCreationForm
from accounts.models import STAFF_ROLES, Employee, User
from helpdesk.l10n import format_jalali_date, join_list

from . import events, services
from .models import Attachment, CannedResponse, Department, Message, Priority, Ticket, TicketEvent, TicketType
from .permissions import visible_tickets


def _staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("full_name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = (
        "name", "is_public", "is_active", "csat_enabled", "inbound_email", "member_count", "supervisor_count"
    )  # fmt: skip
    list_filter = ("is_public", "is_active", "csat_enabled")
    search_fields = ("name", "inbound_email")
    filter_horizontal = ("members", "supervisors")
    fieldsets = (
        (None, {"fields": ("name", "description", "is_public", "is_active", "csat_enabled")}),
        (_("People"), {"fields": ("members", "supervisors")}),
        (_("Email"), {"fields": ("inbound_email",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _members=Count("members", distinct=True),
                _supervisors=Count("supervisors", distinct=True),
            )
        )

    @admin.display(description=_("members"), ordering="_members")
    def member_count(self, obj):
        return obj._members

    @admin.display(description=_("supervisors"), ordering="_supervisors")
    def supervisor_count(self, obj):
        return obj._supervisors

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("members", "supervisors"):
            kwargs["queryset"] = _staff_users()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # The people go through the service (checked, and in the audit trail); the form saves the rest.
        people = {name: form.cleaned_data.pop(name) for name in ("members", "supervisors") if name in form.cleaned_data}
        super().save_related(request, form, formsets, change)
        if people and (not change or set(people) & set(form.changed_data)):
            services.department_set_people(
                department=form.instance,
                members=people.get("members", form.instance.members.all()),
                supervisors=people.get("supervisors", form.instance.supervisors.all()),
                actor=request.user,
            )


# --- a staff member's departments, on the Employees page (accounts knows no department) -------------------------


def _department_fields() -> dict[str, forms.ModelMultipleChoiceField]:
    def field(label, help_text):
        return forms.ModelMultipleChoiceField(
            queryset=Department.objects.order_by("name"),
            required=False,
            label=label,
            help_text=help_text,
            widget=FilteredSelectMultiple(label, is_stacked=False),
        )

    return {
        "member_of": field(_("works in"), _("The person sees and answers these departments' tickets.")),
        "supervises": field(
            _("supervises"), _("Also sees these departments' tickets and hears of their deadlines and escalations.")
        ),
    }


class _DepartmentsMixin:
    """The two department fields, filled from the person's current departments."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["member_of"] = list(self.instance.departments.values_list("pk", flat=True))
            self.initial["supervises"] = list(self.instance.supervised_departments.values_list("pk", flat=True))


class EmployeeDepartmentsCreationForm(_DepartmentsMixin, EmployeeCreationForm):
    member_of, supervises = _department_fields().values()


class EmployeeDepartmentsChangeForm(_DepartmentsMixin, EmployeeChangeForm):
    member_of, supervises = _department_fields().values()


_DEPARTMENTS_FIELDSET = (_("Departments"), {"fields": ("member_of", "supervises")})


def _with_departments(fieldsets):
    """The fieldsets with the departments right after «Access»."""
    return (*fieldsets[:2], _DEPARTMENTS_FIELDSET, *fieldsets[2:])


admin.site.unregister(Employee)


@admin.register(Employee)
class EmployeeAdmin(accounts_admin.EmployeeAdmin):
    """The accounts app's Employees page, with the departments the person works in and supervises, on the "add"
    page too: a new agent is in a department from the start, not looking at an empty queue."""

    form = EmployeeDepartmentsChangeForm
    add_form = EmployeeDepartmentsCreationForm
    fieldsets = _with_departments(accounts_admin.EmployeeAdmin.fieldsets)
    add_fieldsets = _with_departments(accounts_admin.EmployeeAdmin.add_fieldsets)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not request.user.has_perm("tickets.change_department"):
            return (*fields, "member_of", "supervises")
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # created (or updated) through the accounts services
        data = form.cleaned_data
        if "member_of" in data and (not change or {"member_of", "supervises"} & set(form.changed_data)):
            services.employee_set_departments(
                user=obj, member_of=data["member_of"], supervises=data["supervises"], actor=request.user
            )

    # Shown instead of the fields to someone who may only view the page.
    @admin.display(description=_("works in"))
    def member_of(self, obj):
        return join_list(d.name for d in obj.departments.all()) if obj else ""

    @admin.display(description=_("supervises"))
    def supervises(self, obj):
        return join_list(d.name for d in obj.supervised_departments.all()) if obj else ""


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "default_department",
        "default_priority",
        "attachment_required",
        "is_public",
        "is_active",
    )
    list_filter = ("is_public", "is_active", "attachment_required", "default_department")
    search_fields = ("name", "code")
    list_select_related = ("default_department", "default_priority")


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ("name", "order", "swatch", "is_default", "is_active")
    list_editable = ("order",)
    list_filter = ("is_active",)
    search_fields = ("name",)

    @admin.display(description=_("colour"))
    def swatch(self, obj):
        # A class, not an inline style: the Content-Security-Policy forbids style="". The hex is shown as text.
        return format_html('<span class="priority-colour" title="{0}">{0}</span>', obj.colour)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "scope", "department", "owner", "is_active", "updated_at")
    list_filter = ("scope", "is_active", "department")
    search_fields = ("title", "body")
    list_select_related = ("department", "owner")

    def get_queryset(self, request):
        """Managers see every response; a supervisor the global ones, their departments' and their own."""
        qs = super().get_queryset(request)
        user = request.user
        if user.sees_all_departments:
            return qs
        return qs.filter(
            Q(scope=CannedResponse.Scope.GLOBAL)
            | Q(department__in=user.departments.all())
            | Q(department__in=user.supervised_departments.all())
            | Q(owner=user)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = _staff_users()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author", "is_internal", "channel", "body")
    readonly_fields = fields
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ("created_at", "actor", "kind_label", "description")
    readonly_fields = fields
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("kind"))
    def kind_label(self, obj):
        return events.label(obj.kind)

    @admin.display(description=_("description"))
    def description(self, obj):
        return obj.description


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Browse and search tickets; change them only through the actions (which call the services)."""

    list_display = (
        "reference",
        "subject",
        "status",
        "department",
        "priority",
        "assignee",
        "requester",
        "is_pinned",
        "last_activity_at",
    )
    list_filter = ("status", "department", "priority", "channel", "is_internal", "is_pinned", "type")
    search_fields = ("=reference", "subject", "requester__full_name", "requester__email", "requester__mobile")
    list_select_related = ("department", "priority", "assignee", "requester")
    date_hierarchy = "created_at"
    inlines = (MessageInline, TicketEventInline)
    actions = ("close_selected", "pin_selected", "unpin_selected")
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over 100,000 rows on every page

    def get_queryset(self, request):
        return visible_tickets(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.concrete_fields] + ["followers", "tag_list"]

    def get_fields(self, request, obj=None):
        return [
            "reference",
            "subject",
            "status",
            "requester",
            "organisation",
            "department",
            "type",
            "priority",
            "assignee",
            "tag_list",
            "is_pinned",
            "is_internal",
            "channel",
            "first_response_due",
            "resolution_due",
            "created_by",
            "followers",
            "merged_into",
            "created_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "last_activity_at",
        ]

    @admin.display(description=_("tags"))
    def tag_list(self, obj):
        return join_list(obj.tags.names())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only pages; the actions below are the way to change tickets

    def has_work_permission(self, request):
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _bulk(self, request, queryset, action, **params):
        result = services.bulk_apply(tickets=queryset, action=action, actor=request.user, **params)
        if result.done:
            self.message_user(
                request,
                ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", len(result.done))
                % {"count": len(result.done)},
                messages.SUCCESS,
            )
        for ticket, reason in result.failed:
            self.message_user(request, f"#{ticket.reference}: {reason}", messages.WARNING)

    @admin.action(description=_("Close the selected tickets"), permissions=["work"])
    def close_selected(self, request, queryset):
        self._bulk(request, queryset, "close")

    @admin.action(description=_("Pin the selected tickets"), permissions=["work"])
    def pin_selected(self, request, queryset):
        self._bulk(request, queryset, "pin")

    @admin.action(description=_("Unpin the selected tickets"), permissions=["work"])
    def unpin_selected(self, request, queryset):
        self._bulk(request, queryset, "unpin")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only list (to find large files); downloads go through the permission-checked view, not here."""

    list_display = ("original_name", "content_type", "size", "inline_safe", "created_at")
    list_filter = ("content_type", "inline_safe")
    search_fields = ("original_name",)
    fields = ("original_name", "content_type", "size", "inline_safe", "created_at", "message")
    readonly_fields = fields
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(message__ticket__in=visible_tickets(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- SLA (F14, B4): policies, business hours, holidays -----------------------------------------------------------

from django import forms  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402
from django.urls import path  # noqa: E402

from helpdesk.forms import JalaliDateField  # noqa: E402

from .models import BusinessHours, Holiday, SLAPolicy  # noqa: E402
from .services.sla import holiday_import  # noqa: E402


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "priority",
        "department",
        "type",
        "first_response_minutes",
        "resolution_minutes",
        "raise_priority_on_breach",
        "reassign_on_breach",
        "is_active",
    )
    list_filter = ("is_active", "priority", "department")
    list_select_related = ("priority", "department", "type")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "priority", "department", "type", "is_active")}),
        (_("Targets (business minutes)"), {"fields": ("first_response_minutes", "resolution_minutes", "warn_percent")}),
        (_("Escalation"), {"fields": ("level2_percent", "raise_priority_on_breach", "reassign_on_breach")}),
    )


@admin.register(BusinessHours)
class BusinessHoursAdmin(admin.ModelAdmin):
    """With no rows the default calendar applies (Saturday–Wednesday 08:00–16:00, Thursday 08:00–12:00)."""

    list_display = ("__str__", "is_working", "opens_at", "closes_at")
    list_editable = ("is_working", "opens_at", "closes_at")
    list_display_links = ("__str__",)


class HolidayForm(forms.ModelForm):
    date = JalaliDateField(label=_("date (Jalali)"))

    class Meta:
        model = Holiday
        fields = ("date", "name")


class HolidayImportForm(forms.Form):
    lines = forms.CharField(
        label=_("holidays"),
        widget=forms.Textarea(attrs={"rows": 12, "dir": "ltr"}),
        help_text=_("One holiday a line: the Jalali date, a space and the name, e.g. 1405/01/01 Nowruz."),
    )

    def clean_lines(self):
        try:
            self.result = holiday_import(text=self.cleaned_data["lines"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return self.cleaned_data["lines"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    form = HolidayForm
    list_display = ("jalali_date", "name", "date")
    search_fields = ("name",)
    change_list_template = "tickets/admin/holiday_changelist.html"

    @admin.display(description=_("Jalali date"), ordering="date")
    def jalali_date(self, obj):
        return format_jalali_date(obj.date)

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="tickets_holiday_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = HolidayImportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created, updated = len(form.result.created), len(form.result.updated)
            self.message_user(
                request,
                _("%(created)s holidays added, %(updated)s updated.") % {"created": created, "updated": updated},
                messages.SUCCESS,
            )
            return redirect("admin:tickets_holiday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import holidays"),
            "form": form,
        }
        return render(request, "tickets/admin/holiday_import.html", context)

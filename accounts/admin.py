"""Admin site: Customers (F04) and Employees (F05) as two pages over the one User table, and Organisations.

Every write goes through accounts.services: creation, role changes (groups and is_staff follow), edits,
suspension (with a reason, asked on an intermediate page) and reactivation.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from helpdesk.persian import to_latin_digits
from helpdesk.validators import normalize_mobile

from . import services, twofactor
from .forms import (
    CustomerChangeForm,
    CustomerCreationForm,
    EmployeeChangeForm,
    EmployeeCreationForm,
    OrganisationForm,
    SuspendForm,
)
from .models import ROLE_RANK, STAFF_ROLES, Customer, Employee, Organisation, Role, TwoFactorRequirement, User
from .views import AdminLoginView


def admin_login(request, extra_context=None):
    """The admin site's login view (`HelpdeskAdminSite.register_login_view`): Django's admin login page, with
    our two steps (password, then the second factor)."""
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect("admin:index")
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        **(extra_context or {}),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index")
    request.current_app = admin.site.name
    return AdminLoginView.as_view(extra_context=context)(request)


admin.site.register_login_view(admin_login)  # type: ignore[attr-defined]


def actor_rank(user: User) -> int:
    return len(ROLE_RANK) if user.is_superuser else ROLE_RANK.get(user.role, -1)


class SuspendedFilter(admin.SimpleListFilter):
    title = _("suspended")
    parameter_name = "suspended"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(suspended_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(suspended_at__isnull=True)
        return queryset


class ExpiredFilter(admin.SimpleListFilter):
    title = _("expired")
    parameter_name = "expired"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "no":
            return queryset.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        return queryset


class PeopleAdmin(UserAdmin):
    """What the Customers and Employees pages share."""

    list_display = ("full_name", "email", "mobile", "national_id", "role", "status", "last_login")
    search_fields = ("full_name", "email", "mobile", "national_id")
    ordering = ("full_name", "pk")
    readonly_fields = ("suspended_at", "suspension_reason", "last_login", "date_joined")
    filter_horizontal = ()
    list_per_page = 50
    actions = ["suspend_users", "reactivate_users", "remove_two_factor"]

    # Roles a form may offer; narrowed further to the actor's own rank.
    offered_roles: tuple[str, ...] = tuple(Role.values)

    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.suspended_at is not None:
            return _("Suspended")
        if obj.is_expired:
            return _("Expired")
        if not obj.is_active:
            return _("Inactive")
        return _("Active")

    # --- permissions: nobody edits or suspends someone of a higher rank than their own ---------------------------

    def _outranked(self, request, obj) -> bool:
        return obj is not None and ROLE_RANK.get(obj.role, 0) > actor_rank(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._outranked(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._outranked(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            rank = actor_rank(request.user)
            kwargs["choices"] = [
                (value, label)
                for value, label in Role.choices
                if value in self.offered_roles and ROLE_RANK[value] <= rank
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    # --- search: a mobile number in any spelling, Persian digits in IDs ---------------------------------------

    def get_search_results(self, request, queryset, search_term):
        term = to_latin_digits(search_term or "").strip()
        results, may_have_duplicates = super().get_search_results(request, queryset, term)
        try:
            mobile = normalize_mobile(term)
        except ValidationError:
            return results, may_have_duplicates
        return results | queryset.filter(mobile=mobile), may_have_duplicates

    # --- saving through the services ---------------------------------------------------------------------------

    def create_user(self, request, data):
        raise NotImplementedError

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        data = dict(form.cleaned_data)
        data["password"] = data.get("password1") if data.get("set_usable_password", True) else None
        user = self.create_user(request, data)
        return self.model._default_manager.get(pk=user.pk)  # as the proxy, for the admin's URLs and log

    def save_model(self, request, obj, form, change):
        if not change:
            return  # save_form created it through the service
        if "role" in form.changed_data:
            services.user_set_role(user=obj, role=form.cleaned_data["role"], actor=request.user)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.ADMIN_FIELDS}
        services.user_update(user=obj, actor=request.user, **changes)

    def save_related(self, request, form, formsets, change):
        if change:  # the creation forms have no many-to-many fields or inlines
            super().save_related(request, form, formsets, change)

    # --- actions -------------------------------------------------------------------------------------------------

    @admin.action(description=_("Suspend the selected accounts"), permissions=["change"])
    def suspend_users(self, request, queryset):
        form = SuspendForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for user in queryset:
                if self._outranked(request, user):
                    self.message_user(request, _("%(user)s: not allowed.") % {"user": user}, messages.WARNING)
                    continue
                try:
                    services.user_suspend(user=user, reason=form.cleaned_data["reason"], actor=request.user)
                except ValidationError as exc:
                    self.message_user(request, f"{user}: {' '.join(exc.messages)}", messages.WARNING)
                    continue
                self.log_change(request, user, [{"changed": {"fields": ["suspended_at", "suspension_reason"]}}])
                done += 1
            if done:
                message = ngettext("%(count)d account suspended.", "%(count)d accounts suspended.", done)
                self.message_user(request, message % {"count": done}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Suspend accounts"),
            "opts": self.opts,
            "queryset": queryset,
            "form": form,
        }
        return TemplateResponse(request, "accounts/admin/suspend.html", context)

    @admin.action(description=_("Reactivate the selected accounts"), permissions=["change"])
    def reactivate_users(self, request, queryset):
        done = 0
        for user in queryset:
            if self._outranked(request, user):
                continue
            services.user_reactivate(user=user, actor=request.user)
            self.log_change(request, user, [{"changed": {"fields": ["suspended_at", "expires_at"]}}])
            done += 1
        message = ngettext("%(count)d account reactivated.", "%(count)d accounts reactivated.", done)
        self.message_user(request, message % {"count": done}, messages.SUCCESS)

    def has_two_factor_reset_permission(self, request) -> bool:
        return request.user.is_superuser or getattr(request.user, "role", None) == Role.ADMIN

    @admin.action(
        description=_("Remove two-factor sign-in of the selected accounts (recovery)"),
        permissions=["two_factor_reset"],
    )
    def remove_two_factor(self, request, queryset):
        done = 0
        for user in queryset:
            if self._outranked(request, user) or not twofactor.two_factor_remove(user=user, actor=request.user):
                continue
            self.log_change(request, user, _("Two-factor sign-in removed (recovery)."))
            done += 1
        message = ngettext(
            "Two-factor sign-in removed from %(count)d account: it signs in with the password now, or sets up a new "
            "device if its access level requires one.",
            "Two-factor sign-in removed from %(count)d accounts: they sign in with the password now, or set up a "
            "new device if their access level requires one.",
            done,
        )
        self.message_user(request, message % {"count": done}, messages.SUCCESS)


_PASSWORD_FIELDSET = (_("Password"), {"fields": ("usable_password", "password1", "password2")})
_PREFERENCES_FIELDSET = (_("Preferences"), {"fields": ("language", "notify_email", "notify_sms", "notify_panel")})
_DATES_FIELDSET = (_("Dates"), {"fields": ("last_login", "date_joined")})


@admin.register(Customer)
class CustomerAdmin(PeopleAdmin):
    form = CustomerChangeForm
    add_form = CustomerCreationForm
    list_display = ("full_name", "email", "mobile", "national_id", "organisation", "status", "last_login")
    list_filter = ("organisation", "organisation_role", "is_active", SuspendedFilter, ExpiredFilter)
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)
    # The shared fieldset constants are plain dicts, not django-stubs' private _FieldOpts TypedDict.
    fieldsets = (  # type: ignore[assignment]
        (None, {"fields": ("full_name", "email", "mobile", "national_id", "password")}),
        (_("Organisation"), {"fields": ("organisation", "organisation_role")}),
        (_("Access"), {"fields": ("role", "is_active", "expires_at", "suspended_at", "suspension_reason")}),
        _PREFERENCES_FIELDSET,
        _DATES_FIELDSET,
    )
    add_fieldsets = (
        (None, {"fields": ("full_name", "email", "mobile", "national_id", "language")}),
        (_("Organisation"), {"fields": ("organisation", "organisation_role")}),
        (_("Access"), {"fields": ("expires_at",)}),
        _PASSWORD_FIELDSET,
    )

    def create_user(self, request, data):
        return services.customer_create(
            full_name=data["full_name"],
            email=data.get("email"),
            mobile=data.get("mobile"),
            password=data["password"],
            national_id=data.get("national_id", ""),
            language=data.get("language") or Customer.Language.PERSIAN,
            organisation=data.get("organisation"),
            organisation_role=data.get("organisation_role") or Customer.OrganisationRole.MEMBER,
            expires_at=data.get("expires_at"),
            actor=request.user,
        )


@admin.register(Employee)
class EmployeeAdmin(PeopleAdmin):
    form = EmployeeChangeForm
    add_form = EmployeeCreationForm
    offered_roles = tuple(STAFF_ROLES)
    list_filter = ("role", "is_active", SuspendedFilter, ExpiredFilter)
    fieldsets = (  # type: ignore[assignment]  # as CustomerAdmin's
        (None, {"fields": ("full_name", "email", "mobile", "national_id", "password")}),
        (_("Access"), {"fields": ("role", "is_active", "expires_at", "suspended_at", "suspension_reason")}),
        _PREFERENCES_FIELDSET,
        _DATES_FIELDSET,
    )
    add_fieldsets = (
        (None, {"fields": ("full_name", "email", "mobile", "national_id", "language")}),
        (_("Access"), {"fields": ("role", "expires_at")}),
        _PASSWORD_FIELDSET,
    )

    def create_user(self, request, data):
        return services.employee_create(
            full_name=data["full_name"],
            role=data["role"],
            email=data.get("email"),
            mobile=data.get("mobile"),
            password=data["password"],
            national_id=data.get("national_id", ""),
            language=data.get("language") or Employee.Language.PERSIAN,
            expires_at=data.get("expires_at"),
            actor=request.user,
        )


class MemberInline(admin.TabularInline):
    """The organisation's members, read-only: people join or leave on their own customer page."""

    model = Customer
    fk_name = "organisation"
    fields = ("member", "email", "mobile", "organisation_role")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = _("member")
    verbose_name_plural = _("members")

    @admin.display(description=_("full name"))
    def member(self, obj):
        url = reverse("admin:accounts_customer_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.full_name)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("name", "national_id", "economic_code", "sharing", "member_count")
    list_filter = ("sharing",)
    search_fields = ("name", "national_id", "economic_code")
    inlines = [MemberInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, to_latin_digits(search_term or "").strip())


@admin.register(TwoFactorRequirement)
class TwoFactorRequirementAdmin(admin.ModelAdmin):
    """Which access levels must sign in with a second factor: one row per role, ticked in the list. The roles the
    deployment requires (TWO_FACTOR_REQUIRED_ROLES) are required whatever the row says."""

    list_display = ("role", "required", "required_by_deployment")
    list_editable = ("required",)
    fields = ("role", "required")
    readonly_fields = ("role",)

    @admin.display(description=_("required by the deployment"), boolean=True)
    def required_by_deployment(self, obj) -> bool:
        return obj.role in settings.TWO_FACTOR_REQUIRED_ROLES

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or getattr(request.user, "role", None) == Role.ADMIN

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_change_permission(request)

    def save_model(self, request, obj, form, change):
        twofactor.two_factor_requirement_set(role=obj.role, required=obj.required, actor=request.user)


# django-otp's own TOTP device admin would show every user's secret key and QR code to whoever may open it:
# devices are managed by their owner (the profile) and removed by the recovery action above, nowhere else.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

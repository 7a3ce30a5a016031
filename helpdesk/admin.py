"""Admin for the site settings singleton (F22–F25, F30–F32), the IP block list (F33) and the audit trail (#14.6).

Saving goes through `helpdesk.services`, which clears the shared cache after commit, so a change is effective
on the next request in every web process.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import audit, images, jalali, services
from .admin_site import ReadOnlyAdmin
from .l10n import TEHRAN, digits, format_datetime, join_list
from .models import AuditEntry, IPBlock, SiteSettings
from .net import client_ip, contains, parse_ip, parse_network

MSG_OWN_ADDRESS = _("This range contains your own address (%(address)s); saving it would lock you out of the site.")


class SiteSettingsForm(forms.ModelForm):
    logo = forms.FileField(
        label=_("logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": images.ACCEPT_ATTRIBUTE}),
        help_text=_("PNG, JPEG, GIF or WebP. It is resized to at most 512 pixels and stored as PNG."),
    )

    class Meta:
        model = SiteSettings
        fields = (
            "title",
            "logo",
            "records_per_page",
            "max_upload_mb",
            "allowed_file_types",
            "office_contact",
            "customer_message",
            "staff_message",
            "self_registration",
            "maintenance_mode",
            "maintenance_message",
        )

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            # Validate and re-encode here so that a bad file is reported on the form, not as a failed save.
            return images.logo_from_upload(logo)
        return logo


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: no add once it exists, no delete, and the list page opens the row itself."""

    form = SiteSettingsForm
    readonly_fields = ("logo_preview", "updated_at")
    fieldsets = (
        (_("Branding"), {"fields": ("title", "logo", "logo_preview")}),
        (_("Lists and uploads"), {"fields": ("records_per_page", "max_upload_mb", "allowed_file_types")}),
        (_("Public messages"), {"fields": ("office_contact", "customer_message", "staff_message")}),
        (_("Customers"), {"fields": ("self_registration",)}),
        (_("Maintenance"), {"fields": ("maintenance_mode", "maintenance_message")}),
        (None, {"fields": ("updated_at",)}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        obj, _created = SiteSettings.objects.get_or_create(pk=1)
        return redirect(reverse("admin:helpdesk_sitesettings_change", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.SITE_SETTINGS_FIELDS}
        logo = services.KEEP
        if "logo" in form.changed_data:
            logo = form.cleaned_data["logo"] or False  # False: the "clear" box was ticked
        saved = services.site_settings_update(logo=logo, **changes)
        obj.pk, obj.logo = saved.pk, saved.logo

    @admin.display(description=_("current logo"))
    def logo_preview(self, obj):
        if not obj.logo:
            return "—"
        return format_html('<img src="{}" alt="" height="64">', obj.logo_url)


class IPBlockForm(forms.ModelForm):
    request = None  # set by IPBlockAdmin.get_form, to keep an admin from blocking themselves

    class Meta:
        model = IPBlock
        fields = ("network", "reason", "expires_at")

    def _post_clean(self):
        super()._post_clean()  # IPBlock.clean() has normalised the network by now
        if self.request is None or self.has_error("network") or not self.instance.network:
            return
        if self.instance.expires_at and self.instance.expires_at <= timezone.now():
            return
        # The rule the middleware applies (`net.contains`): the admin's address in any form, IPv4-mapped or not.
        address = parse_ip(client_ip(self.request))
        network = parse_network(self.instance.network)
        if address is not None and network is not None and contains(network, address):
            self.add_error("network", ValidationError(MSG_OWN_ADDRESS, params={"address": str(address)}))


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", _("Active")), ("expired", _("Expired")))

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "expired":
            return queryset.filter(expires_at__lte=timezone.now())
        return queryset


@admin.register(IPBlock)
class IPBlockAdmin(admin.ModelAdmin):
    form = IPBlockForm
    list_display = ("network", "reason", "expires_at", "is_active", "created_at")
    list_filter = (StatusFilter,)
    search_fields = ("network", "reason")
    search_help_text = _("An address finds the entries whose range contains it.")
    fields = ("network", "reason", "expires_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # a fresh class per call, so this does not leak between requests
        return form

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, obj):
        return obj.is_active

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        address = parse_ip(search_term)
        if address is not None:
            # "Is this address blocked, and by which entry?" — match the ranges that contain it.
            containing = [
                pk
                for pk, value in queryset.values_list("pk", "network")
                if (network := parse_network(value)) is not None and contains(network, address)
            ]
            results = results | queryset.filter(pk__in=containing)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        services.ip_block_save(block=obj)

    def delete_model(self, request, obj):
        services.ip_block_remove(block=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for block in queryset:
                services.ip_block_remove(block=block)


# --- the audit trail (read-only) --------------------------------------------------------------------------------


class JalaliPeriodFilter(admin.SimpleListFilter):
    """When: today, the last 7 days, this or last Jalali month, this Jalali year (Tehran time)."""

    title = _("when")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return (
            ("today", _("Today")),
            ("week", _("Past 7 days")),
            ("month", _("This month")),
            ("last_month", _("Last month")),
            ("year", _("This year")),
        )

    def queryset(self, request, queryset):
        bounds = self.bounds(self.value())
        if bounds is None:
            return queryset
        first, last = bounds
        return queryset.filter(at__gte=_tehran_midnight(first), at__lt=_tehran_midnight(last + dt.timedelta(days=1)))

    @staticmethod
    def bounds(value: str | None) -> tuple[dt.date, dt.date] | None:
        """First and last Gregorian days (inclusive) of a period, or None for "all"."""
        today = jalali.today()
        gregorian_today = today.togregorian()
        if value == "today":
            return gregorian_today, gregorian_today
        if value == "week":
            return gregorian_today - dt.timedelta(days=6), gregorian_today
        if value == "month":
            return jalali.month_range(today.year, today.month)
        if value == "last_month":
            year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
            return jalali.month_range(year, month)
        if value == "year":
            return jalali.to_gregorian(today.year, 1, 1), jalali.month_last_day(today.year, 12)
        return None


def _tehran_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TEHRAN)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: read by admins (the view permission, which only the Admin role has), never added to,
    changed or deleted here (not even by a superuser), and no actions."""

    list_display = ("when", "action", "actor_label", "ip", "target_label", "summary")
    list_filter = ("action", JalaliPeriodFilter, ("actor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("actor_label", "target_label", "target_id", "ip", "after__username")
    search_help_text = _("Search by person, object, address or the name typed at a sign-in.")
    fields = ("when", "action", "actor_label", "ip", "target_kind", "target_id", "target_label", "changes")
    readonly_fields = fields
    actions = None
    list_per_page = 50
    show_full_result_count = False  # the trail only grows: one COUNT per page is enough

    @admin.display(description=_("when"), ordering="at")
    def when(self, obj):
        return format_datetime(obj.at)

    @admin.display(description=_("object type"))
    def target_kind(self, obj):
        model = _target_model(obj)
        return capfirst(model._meta.verbose_name) if model is not None else obj.target_type or "—"

    @admin.display(description=_("change"))
    def summary(self, obj):
        model = _target_model(obj)
        keys = list(dict.fromkeys([*obj.before, *obj.after]))
        return join_list(audit.key_label(model, key) for key in keys) if keys else "—"

    @admin.display(description=_("before → after"))
    def changes(self, obj):
        keys = list(dict.fromkeys([*obj.before, *obj.after]))
        if not keys:
            return "—"
        model = _target_model(obj)
        fields = {key: audit.key_field(model, key) for key in keys}
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (
                    audit.key_label(model, key),
                    _shown(obj.before.get(key), fields[key]),
                    _shown(obj.after.get(key), fields[key]),
                )
                for key in keys
            ),
        )
        return format_html(
            "<table><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("before"),
            _("after"),
            rows,
        )


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _target_model(obj: AuditEntry) -> type[models.Model] | None:
    """The model an entry's `target_type` ("app_label.model") names, if it still exists."""
    try:
        return apps.get_model(obj.target_type) if obj.target_type else None
    except (LookupError, ValueError):
        return None


def _shown(value, field: models.Field | None = None) -> str:
    """A stored value as the page shows it: yes/no, a choice by its label, lists joined, moments (stored in ISO
    8601) as Jalali dates."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None and field.choices and not isinstance(value, list):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return join_list(_shown(item) for item in value)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return format_datetime(dt.datetime.fromisoformat(value))
    return digits(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)

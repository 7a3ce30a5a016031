"""Admin: taxpayers, year parameters and figures are managed here (parameters and figures saved through their
services, each change in the audit trail); ceilings, usage and requests are read-only (they change only through
the services, so every change is computed, recorded and notified)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from helpdesk.admin_site import ReadOnlyAdmin

from . import services, text
from .models import Ceiling, FigureSource, IncreaseRequest, PriorPeriodFigures, Taxpayer, Usage, YearParameters
from .periods import Period


class FiguresInline(admin.TabularInline):
    model = PriorPeriodFigures
    extra = 0
    fields = ("year", "quarter", "sales", "vat_due", "vat_paid", "source", "source_note")
    readonly_fields = ("source",)
    ordering = ("-year", "-quarter")

    def get_queryset(self, request):
        # Each row's heading is `str(figures)`, which names the taxpayer: one query per row without the join.
        return super().get_queryset(request).select_related("taxpayer")


@admin.register(Taxpayer)
class TaxpayerAdmin(admin.ModelAdmin):
    list_display = ("name", "economic_code", "national_id", "owner_name", "is_new_unit", "registered_on")
    list_select_related = ("owner_user", "owner_organisation")
    list_filter = ("is_new_unit",)
    search_fields = ("name", "economic_code", "national_id")
    raw_id_fields = ("owner_user", "owner_organisation")

    @admin.display(description=_("owner"))
    def owner_name(self, obj: Taxpayer) -> str:
        return str(obj.owner or "—")

    inlines = [FiguresInline]
    actions = ["compute_current_ceiling"]

    def save_formset(self, request, form, formset, change):
        # The figures inline (the only one): through the services, each change in the audit trail.
        figures = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.figures_delete(figures=obj, actor=request.user)
        for obj in figures:
            if obj._state.adding:
                obj.source = FigureSource.ENTERED
                obj.created_by = request.user
            services.figures_save(figures=obj, actor=request.user)
        formset.save_m2m()

    @admin.action(description=_("Recompute the current period's ceiling"))
    def compute_current_ceiling(self, request, queryset):
        period = Period.current()
        done = 0
        for taxpayer in queryset:
            try:
                services.ceiling_compute(taxpayer=taxpayer, period=period, actor=request.user, recompute=True)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            _("Ceilings of %(period)s computed for %(count)s taxpayers.")
            % {"period": text.period_text(period), "count": text.rials(done)},
        )


@admin.register(YearParameters)
class YearParametersAdmin(admin.ModelAdmin):
    list_display = ("year", "exemption", "exemption_source", "vat_rate", "vat_rate_source", "updated_at")
    ordering = ("-year",)

    def save_model(self, request, obj, form, change):
        # the service also computes the ceilings now due (the current period's), after commit
        services.year_parameters_save(params=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.year_parameters_delete(params=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for params in queryset:
                services.year_parameters_delete(params=params, actor=request.user)


@admin.register(PriorPeriodFigures)
class PriorPeriodFiguresAdmin(admin.ModelAdmin):
    list_display = ("taxpayer", "year", "quarter", "sales", "vat_due", "vat_paid", "source", "updated_at")
    list_filter = ("year", "quarter", "source")
    search_fields = ("taxpayer__name", "taxpayer__economic_code")
    raw_id_fields = ("taxpayer",)
    readonly_fields = ("source", "created_by", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = FigureSource.ENTERED
            obj.created_by = request.user
        services.figures_save(figures=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.figures_delete(figures=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for figures in queryset:
                services.figures_delete(figures=figures, actor=request.user)


@admin.register(Ceiling)
class CeilingAdmin(ReadOnlyAdmin):
    list_display = ("taxpayer", "year", "quarter", "initial", "basis", "increases", "used", "computed_at")
    list_filter = ("year", "quarter", "basis")
    search_fields = ("taxpayer__name", "taxpayer__economic_code")
    list_select_related = ("taxpayer",)


@admin.register(Usage)
class UsageAdmin(ReadOnlyAdmin):
    list_display = ("ceiling", "amount", "reference", "source", "recorded_by", "recorded_at")
    list_filter = ("source",)
    search_fields = ("ceiling__taxpayer__name", "ceiling__taxpayer__economic_code", "reference")
    list_select_related = ("ceiling__taxpayer", "recorded_by")


@admin.register(IncreaseRequest)
class IncreaseRequestAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "taxpayer", "year", "quarter", "amount", "vat", "state", "created_at")
    list_filter = ("state", "year", "quarter")
    search_fields = ("taxpayer__name", "taxpayer__economic_code", "ticket__reference")
    list_select_related = ("ticket", "taxpayer")

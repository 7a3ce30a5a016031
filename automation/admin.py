"""Admin for the automation rules (`order` editable in the list), department routing and agents' away status."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel

from .models import AgentStatus, DepartmentRouting, Rule


class RuleAdminForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The ticket came in by one of these (none: any)."),
    )

    class Meta:
        model = Rule
        fields = (
            "name",
            "order",
            "is_active",
            "stop_processing",
            "channels",
            "department",
            "type",
            "organisation",
            "keywords",
            "keywords_in",
            "keywords_match",
            "set_department",
            "set_type",
            "set_priority",
            "add_tags",
            "set_assignee",
            "canned_response",
        )


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    form = RuleAdminForm
    list_display = ("name", "order", "is_active", "stop_processing", "department", "set_department", "set_assignee")
    list_display_links = ("name",)
    list_editable = ("order", "is_active", "stop_processing")
    list_filter = ("is_active", "department", "set_department")
    search_fields = ("name", "keywords")
    ordering = ("order", "pk")
    list_select_related = ("department", "set_department", "set_assignee")
    fieldsets = (
        (None, {"fields": ("name", "order", "is_active", "stop_processing")}),
        (
            _("Conditions (all that are set must hold)"),
            {"fields": ("channels", "department", "type", "organisation", "keywords", "keywords_in", "keywords_match")},
        ),
        (
            _("Actions"),
            {"fields": ("set_department", "set_type", "set_priority", "add_tags", "set_assignee", "canned_response")},
        ),
    )


@admin.register(DepartmentRouting)
class DepartmentRoutingAdmin(admin.ModelAdmin):
    list_display = ("department", "round_robin", "last_assigned")
    list_editable = ("round_robin",)
    list_select_related = ("department", "last_assigned")
    readonly_fields = ("last_assigned",)


@admin.register(AgentStatus)
class AgentStatusAdmin(admin.ModelAdmin):
    list_display = ("user", "is_away", "away_until", "updated_at")
    list_editable = ("is_away", "away_until")
    list_filter = ("is_away",)
    list_select_related = ("user",)
    search_fields = ("user__full_name", "user__email", "user__mobile")

"""The outbox in the Django admin: read-only rows with filters and search (failed and uncertain ones with their
reason and Message-ID), and a «send again» action (through `outbox.notifications_send_again`); open delivery alerts
with a «clear» action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import DeliveryAlert, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "created_at",
        "recipient",
        "channel",
        "kind",
        "state",
        "attempts",
        "short_error",
        "provider_message_id",
    )
    list_filter = ("state", "channel", "kind")
    search_fields = (
        "recipient__full_name",
        "recipient__email",
        "recipient__mobile",
        "address",
        "subject",
        "provider_message_id",
        "link",  # holds what it is about, e.g. a ticket's tracking number (/tickets/1234567/)
    )
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    actions = ["send_again"]
    ordering = ("-created_at", "-pk")
    fields = (
        "recipient",
        "channel",
        "kind",
        "source_type",
        "source_id",
        "target_type",
        "target_id",
        "address",
        "reply_to",
        "thread_id",
        "state",
        "attempts",
        "last_error",
        "provider_message_id",
        "created_at",
        "first_attempt_at",
        "handed_over_at",
        "due_at",
        "touched_at",
        "sent_at",
        "read_at",
        "link",
        "subject",
        "body",
        "html",
    )
    readonly_fields = fields

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(80)

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Send the selected failed, parked or uncertain notifications again"), permissions=["change"]
    )
    def send_again(self, request, queryset):
        count = outbox.notifications_send_again(notifications=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d notification was queued again.", "%(count)d notifications were queued again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(DeliveryAlert)
class DeliveryAlertAdmin(admin.ModelAdmin):
    list_display = ("key", "raised_at", "cleared_at", "reason")
    list_filter = ("key", ("cleared_at", admin.EmptyFieldListFilter))
    readonly_fields = ("key", "reason", "raised_at", "cleared_at")
    actions = ["clear"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the selected alerts as dealt with"), permissions=["change"])
    def clear(self, request, queryset):
        count = outbox.delivery_alerts_clear(alerts=queryset)
        self.message_user(
            request, ngettext("%(count)d alert cleared.", "%(count)d alerts cleared.", count) % {"count": count}
        )

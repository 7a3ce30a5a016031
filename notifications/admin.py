"""The outbox in the Django admin: read-only rows with filters and search (failed and uncertain ones with their
reason and Message-ID), the month's SMS and their cost above the list, and a «send again» action (through
`outbox.notifications_send_again`); open delivery alerts with a «clear» action; the table of notification defaults
per access level and group of events.

Rows that hold a one-time code or link (`Notification.confidential`: sign-up and password-reset codes, reset links)
are shown with the code replaced by «●●●●●●» and each link cut to its site: whoever reads the outbox cannot sign up
or reset a password with someone else's number."""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from helpdesk.l10n import format_number, month_name

from . import outbox, registry, selectors
from .models import DeliveryAlert, Notification, NotificationDefault

MASK = "●●●●●●"
# A code: 4 to 8 digits (Latin, Persian or Arabic-Indic) not within a longer number (a mobile number stays).
_CODE = re.compile(r"(?<![0-9۰-۹٠-٩])[0-9۰-۹٠-٩]{4,8}(?![0-9۰-۹٠-٩])")
# A link: what follows its site (a reset link's user and token) goes.
_LINK = re.compile(r"(https?://[^/\s\"'<>]+)/[^\s\"'<>]*")


def mask_secrets(text: str) -> str:
    """`text` with every code and the path of every link replaced by «●●●●●●»."""
    return _CODE.sub(MASK, _LINK.sub(rf"\1/{MASK}", text))


def sms_month_text() -> str:
    """«SMS sent in Mehr 1405: 120, about 1,200,000 rials at 10,000 rials each.» in the active language."""
    month = selectors.sms_month()
    values = {
        "month": f"{month_name(month.month)} {format_number(month.year, grouping=False)}",
        "count": format_number(month.count),
        "price": format_number(month.price),
        "cost": format_number(month.cost or 0),
    }
    if month.cost is None:
        return gettext("SMS sent in %(month)s: %(count)s. (Set SMS_PRICE_RIALS to see what they cost.)") % values
    return gettext("SMS sent in %(month)s: %(count)s, costing %(cost)s rials (%(price)s rials each).") % values


class KindFilter(admin.SimpleListFilter):
    """The kinds in the outbox, by their labels (`registry.kind_label`)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = Notification.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(kind, registry.kind_label(kind)) for kind in kinds]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "created_at",
        "recipient",
        "channel",
        "kind_label",
        "state",
        "attempts",
        "short_error",
        "provider_message_id",
    )
    list_filter = ("state", "channel", KindFilter)
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
        "kind_label",
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
        "shown_subject",
        "shown_body",
        "html_preview",
    )
    readonly_fields = fields

    @admin.display(description=_("number"), ordering="pk")
    def number(self, obj: Notification) -> int:
        return obj.pk

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, obj: Notification) -> str:
        return registry.kind_label(obj.kind)

    @staticmethod
    def _shown(obj: Notification, text: str) -> str:
        return mask_secrets(text) if obj.confidential else text

    @admin.display(description=_("subject"))
    def shown_subject(self, obj: Notification) -> str:
        return self._shown(obj, obj.subject)

    @admin.display(description=_("text"))
    def shown_body(self, obj: Notification) -> str:
        return linebreaksbr(self._shown(obj, obj.body))  # as the admin shows a text field

    @admin.display(description=_("HTML version"))
    def html_preview(self, obj: Notification) -> str:
        """The email as it was sent, in a sandboxed frame (no scripts, no links out of it)."""
        if not obj.html:
            return "—"
        return format_html(
            '<iframe sandbox srcdoc="{}" title="{}" class="notification-html"></iframe>',
            self._shown(obj, obj.html),
            self._shown(obj, obj.subject),
        )

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(80)

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "sms_month": sms_month_text()}
        return super().changelist_view(request, extra_context)

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


class AlertKeyFilter(admin.SimpleListFilter):
    """The alerts' channels (and causes), by their labels (`DeliveryAlert.label`)."""

    title = _("channel")
    parameter_name = "key"

    def lookups(self, request, model_admin):
        keys = DeliveryAlert.objects.order_by("key").values_list("key", flat=True).distinct()
        return [(key, DeliveryAlert(key=key).label) for key in keys]

    def queryset(self, request, queryset):
        return queryset.filter(key=self.value()) if self.value() else queryset


@admin.register(DeliveryAlert)
class DeliveryAlertAdmin(admin.ModelAdmin):
    list_display = ("channel", "raised_at", "cleared_at", "reason")
    list_filter = (AlertKeyFilter, ("cleared_at", admin.EmptyFieldListFilter))
    fields = ("channel", "reason", "raised_at", "cleared_at")
    readonly_fields = fields
    actions = ["clear"]

    @admin.display(description=_("channel"), ordering="key")
    def channel(self, obj: DeliveryAlert) -> str:
        return obj.label

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the selected alerts as dealt with"), permissions=["change"])
    def clear(self, request, queryset):
        count = outbox.delivery_alerts_clear(alerts=queryset)
        self.message_user(
            request, ngettext("%(count)d alert cleared.", "%(count)d alerts cleared.", count) % {"count": count}
        )


class GroupFilter(admin.SimpleListFilter):
    title = _("events")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(group.code, group.label) for group in registry.groups()]

    def queryset(self, request, queryset):
        return queryset.filter(group=self.value()) if self.value() else queryset


@admin.register(NotificationDefault)
class NotificationDefaultAdmin(admin.ModelAdmin):
    """One row per access level and group of events, written by `migrate`; admins tick the channels. A person's
    own choice (their preferences page) wins over these."""

    list_display = ("role", "events", "email", "sms", "panel")
    list_editable = ("email", "sms", "panel")
    list_filter = ("role", GroupFilter)
    fields = ("role", "events", "email", "sms", "panel")
    readonly_fields = ("role", "events")
    list_per_page = 100

    @admin.display(description=_("events"))
    def events(self, obj: NotificationDefault) -> str:
        group = registry.group(obj.group)
        return str(group.label) if group else obj.group

    def has_add_permission(self, request):
        return False  # `migrate` writes a row for every access level and group

    def has_delete_permission(self, request, obj=None):
        return False

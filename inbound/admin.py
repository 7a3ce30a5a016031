from django.contrib import admin

from .models import InboundEmail, InboundSms


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "state", "sender_verdict", "attempts", "ticket")
    list_filter = ("state", "sender_verdict", "spam_detected", "esp_name")
    search_fields = ("sender", "subject", "message_id")
    list_select_related = ("ticket",)
    readonly_fields = [f.name for f in InboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "text", "source", "state", "attempts", "ticket")
    list_filter = ("state", "source")
    search_fields = ("sender", "text", "provider_message_id")
    list_select_related = ("ticket",)
    readonly_fields = [f.name for f in InboundSms._meta.fields]

    def has_add_permission(self, request):
        return False

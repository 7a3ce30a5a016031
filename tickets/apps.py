from django.apps import AppConfig


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from . import notifications
        from .services import sla  # noqa: F401 - registers the SLA event kinds (sla_warning, sla_breach, escalated)

        notifications.register()

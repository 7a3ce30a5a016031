from django.apps import AppConfig


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"

    def ready(self):
        from helpdesk import files

        from . import notifications
        from .models import Attachment
        from .services import sla  # noqa: F401 - registers the SLA event kinds (sla_warning, sla_breach, escalated)

        notifications.register()
        # Attachment files no row references (a rollback the services could not see) are swept.
        files.register_folder("attachments", model=Attachment, field="file")

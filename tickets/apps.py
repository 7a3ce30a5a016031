from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from helpdesk import files, navigation

        from . import notifications
        from .models import Attachment
        from .services import sla  # noqa: F401 - registers the SLA event kinds (sla_warning, sla_breach, escalated)

        notifications.register()
        navigation.register(
            navigation.Entry(
                _("My tickets"),
                ("tickets:portal",),
                navigation.is_customer,
                _("Follow your requests and reply to them."),
                10,
            )
        )
        navigation.register(
            navigation.Entry(
                _("New ticket"),
                ("tickets:create",),
                navigation.is_customer,
                _("Send a new request to the support team."),
                20,
            )
        )
        navigation.register(
            navigation.Entry(
                _("Queue"),
                ("tickets:queue",),
                navigation.is_employee,
                _("The tickets waiting for you and your departments."),
                30,
            )
        )
        navigation.register(
            navigation.Entry(
                _("New ticket"),
                ("tickets:staff_create",),
                navigation.is_employee,
                _("File a ticket on behalf of a customer."),
                40,
            )
        )
        # Attachment files no row references (a rollback the services could not see) are swept.
        files.register_folder("attachments", model=Attachment, field="file")

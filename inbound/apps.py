from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inbound"
    verbose_name = _("Email and SMS in")

    def ready(self) -> None:
        from anymail.signals import inbound

        from . import (
            checks,  # noqa: F401 - registers the system checks
            events,
            ticket_pages,
        )
        from .receivers import anymail_inbound

        inbound.connect(anymail_inbound, dispatch_uid="inbound.anymail_inbound")
        events.register()
        ticket_pages.register()

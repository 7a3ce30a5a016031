from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LimitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "limits"
    verbose_name = _("Article 6 sales ceilings")

    def ready(self):
        from helpdesk import navigation
        from tickets import hooks

        from . import banner, events, notifications
        from .services.increases import TICKET_TYPE_CODE

        events.register()
        notifications.register()
        banner.register()
        # the increase request is filed from /limits/ with its period, amount and signed form, never from the
        # generic ticket form (the type stays public so the seller may file it through the tickets service)
        hooks.hide_type_from_portal(TICKET_TYPE_CODE)
        navigation.register(
            navigation.Entry(
                _("Sales ceilings"),
                ("limits:index",),
                navigation.everyone,  # visitors land on the calculator
                _("Article 6 sales ceilings, increase requests and the public calculator."),
                60,
            )
        )

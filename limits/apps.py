from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LimitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "limits"
    verbose_name = _("Article 6 sales ceilings")

    def ready(self):
        from . import events

        events.register()

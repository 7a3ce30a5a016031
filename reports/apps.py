from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from helpdesk import navigation

        from . import permissions

        navigation.register(
            navigation.Entry(
                _("Reports"),
                ("reports:overview",),
                permissions.may_see_reports,
                _("Are we keeping our promises? Volumes, deadlines, response times and satisfaction."),
                70,
            )
        )

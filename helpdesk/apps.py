from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, files  # noqa: F401 - checks registers the system checks
        from .models import SiteSettings

        files.register_folder("branding", model=SiteSettings, field="logo")  # the orphan sweep's folders

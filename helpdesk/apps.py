import axes.apps
import django.contrib.admin.apps
import django_otp.plugins.otp_totp.apps
import taggit.apps
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


class HelpdeskAdminConfig(django.contrib.admin.apps.AdminConfig):
    """`django.contrib.admin` with the project's site (`helpdesk.admin_site`): the admin in Persian."""

    default = False  # named in INSTALLED_APPS; `helpdesk` itself is HelpdeskConfig
    default_site = "helpdesk.admin_site.HelpdeskAdminSite"

    def ready(self):
        from .admin_site import install_display

        install_display()
        super().ready()


# Third-party apps whose admin heading Django would show in English.


class AxesConfig(axes.apps.AppConfig):
    default = False
    verbose_name = _("Login attempts")


class TaggitConfig(taggit.apps.TaggitAppConfig):
    default = False
    verbose_name = _("Tags")


class OtpTotpConfig(django_otp.plugins.otp_totp.apps.DefaultConfig):
    """django-otp's TOTP devices (accounts/twofactor.py). Its model's name is a plain English string, not a
    translatable one, so it is named here for the admin's permission lists."""

    default = False
    verbose_name = _("Two-factor sign-in")

    def ready(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice._meta.verbose_name = _("authenticator app")
        TOTPDevice._meta.verbose_name_plural = _("authenticator apps")

import axes.apps
import django.contrib.admin.apps
import django_otp.plugins.otp_totp.apps
import taggit.apps
from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, files  # noqa: F401 - checks registers the system checks
        from .forms import localize_length_limits
        from .models import SiteSettings

        localize_length_limits()
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
    """django-axes, whose rows name themselves in English with a raw moment («Attempted Access: 2026-12-02
    07:44:00.57+00:00») on every admin title, breadcrumb and history page: they are named here in the active
    language, with the moment as the site shows it (`helpdesk.l10n.format_datetime`)."""

    default = False
    verbose_name = _("Login attempts")

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        from .l10n import format_datetime

        def attempt(row: AccessAttempt) -> str:
            values = {"username": row.username, "time": format_datetime(row.attempt_time)}
            return gettext("Access attempts of %(username)s, last at %(time)s") % values

        def log(row: AccessLog) -> str:
            values = {"username": row.username, "time": format_datetime(row.attempt_time)}
            return gettext("Sign-in of %(username)s at %(time)s") % values

        def failure(row: AccessFailureLog) -> str:
            values = {"username": row.username, "time": format_datetime(row.attempt_time), "ip": row.ip_address}
            if row.locked_out:
                return gettext("Failed access of %(username)s at %(time)s from %(ip)s (locked out)") % values
            return gettext("Failed access of %(username)s at %(time)s from %(ip)s") % values

        AccessAttempt.__str__ = attempt
        AccessLog.__str__ = log
        AccessFailureLog.__str__ = failure
        # The column axes leaves unnamed («Status»: the attempts left, or «locked out»).
        AccessAttemptAdmin.status.short_description = _("status")


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

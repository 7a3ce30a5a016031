from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def write_missing_defaults(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """After `migrate` (and a test database's flush): a row of the admins' table of defaults for every access level
    and group the apps registered and the table lacks, with the group's registered defaults (rows already there
    are the admins')."""
    from . import preferences

    try:
        model = apps.get_model("notifications", "NotificationDefault")
    except LookupError:  # migrated back to before the table existed
        return
    rows = [model(role=role, group=group, **channels) for role, group, channels in preferences.default_rows()]
    model.objects.using(using).bulk_create(rows, ignore_conflicts=True)


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks

        post_migrate.connect(write_missing_defaults, sender=self)

        from accounts import mail
        from accounts.forms import PASSWORD_RESET_KIND
        from accounts.password_sms import RESET_SMS_KIND
        from accounts.signup import SIGNUP_EMAIL_KIND, SIGNUP_SMS_KIND
        from helpdesk import navigation

        from . import outbox, registry
        from .account_mail import account_email_queue, account_sms_queue

        registry.register_label(PASSWORD_RESET_KIND, _("password reset"))
        registry.register_label(SIGNUP_SMS_KIND, _("sign-up code"))
        registry.register_label(RESET_SMS_KIND, _("password reset code"))
        registry.register_label(SIGNUP_EMAIL_KIND, _("sign-up link"))
        registry.register_label(outbox.ALERT_KIND, _("delivery alert"))
        registry.register_label(outbox.GAVE_UP_KIND, _("notifications given up"))

        # Account emails and SMS (the password reset, the sign-up code and link) leave through the outbox, like any.
        mail.register_sender(account_email_queue)
        mail.register_sms_sender(account_sms_queue)
        navigation.register_navbar_template("notifications/bell.html")  # the bell, for signed-in people

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts import mail

        from .account_mail import account_email_queue

        # Account emails (the password reset) leave through the outbox, like every other email.
        mail.register_sender(account_email_queue)

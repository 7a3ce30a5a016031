from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from helpdesk import navigation

        from . import (
            checks,  # noqa: F401 - registers the system checks
            signals,
        )
        from .roles import install_group_labels, on_post_migrate

        signals.connect()  # sign-ins, failures and lockouts into the audit trail
        navigation.register_account_urls(login="accounts:login", logout="accounts:logout", profile="accounts:profile")
        install_group_labels()  # the role groups by their roles' labels, in the active language

        # After every migrate (and test-database flush) the role groups get the permissions that now exist.
        post_migrate.connect(on_post_migrate, dispatch_uid="accounts.sync_group_permissions")

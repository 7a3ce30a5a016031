from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "automation"
    verbose_name = _("Automatic handling")

    def ready(self):
        # tickets must not import automation (dependency direction), so automation plugs itself into the
        # ticket services' registry: every new ticket, whatever its channel, passes through the rules.
        from tickets import hooks

        from . import events, rules

        events.register()
        hooks.register_ticket_created(rules.apply_rules)

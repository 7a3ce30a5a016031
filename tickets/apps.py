from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


def requester_contact_changed(user: User, changed: frozenset[str]) -> None:
    """`accounts.hooks` "contact changed": the search text of the tickets `user` filed holds their name, email and
    mobile, so it follows a change, in the same transaction."""
    from .services import requester_search_refresh

    requester_search_refresh(requester=user)


def requester_contact_changing(user: User) -> None:
    """`accounts.hooks` "contact changing": lock the tickets `user` filed before the change locks their row."""
    from .services import requester_tickets_lock

    requester_tickets_lock(requester=user)


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts import hooks as account_hooks
        from helpdesk import files, navigation

        from . import notifications, selectors
        from .models import Attachment
        from .search import sqlite_repair
        from .services import sla  # noqa: F401 - registers the SLA event kinds (sla_warning, sla_breach, escalated)

        notifications.register()
        account_hooks.register_contact_changing(requester_contact_changing)
        account_hooks.register_contact_changed(requester_contact_changed)
        post_migrate.connect(sqlite_repair, sender=self, dispatch_uid="tickets.search_index_repair")
        for model in selectors.CHOICE_MODELS:  # the queue's cached choice lists follow every change of their rows
            post_save.connect(selectors.forget_queue_choices, sender=model, dispatch_uid=f"queue-choices-save-{model}")
            post_delete.connect(
                selectors.forget_queue_choices, sender=model, dispatch_uid=f"queue-choices-delete-{model}"
            )
        navigation.register(
            navigation.Entry(
                _("My tickets"),
                ("tickets:portal",),
                navigation.is_customer,
                _("Follow your requests and reply to them."),
                10,
            )
        )
        navigation.register(
            navigation.Entry(
                _("New ticket"),
                ("tickets:create",),
                navigation.is_customer,
                _("Send a new request to the support team."),
                20,
            )
        )
        navigation.register(
            navigation.Entry(
                _("Queue"),
                ("tickets:queue",),
                navigation.is_employee,
                _("The tickets waiting for you and your departments."),
                30,
            )
        )
        navigation.register(
            navigation.Entry(
                _("New ticket"),
                ("tickets:staff_create",),
                navigation.is_employee,
                _("File a ticket on behalf of a customer."),
                40,
            )
        )
        # Attachment files no row references (a rollback the services could not see) are swept.
        files.register_folder("attachments", model=Attachment, field="file")

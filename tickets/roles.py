"""Admin permissions of the tickets app per role, merged by `accounts.roles.sync_group_permissions()` on migrate.

Agents work in the application's own pages and need no admin permissions. Supervisors manage their canned
responses and see the configuration; managers configure departments, types and priorities. Tickets are
read-only in the admin for everyone (changes go through the services): "change" only unlocks the admin's
bulk actions. The Admin role gets every permission anyway.
"""

from accounts.models import Role
from accounts.roles import crud

ROLE_PERMISSIONS = {
    Role.SUPERVISOR: {
        *crud("tickets", "department", "view"),
        *crud("tickets", "tickettype", "view"),
        *crud("tickets", "priority", "view"),
        *crud("tickets", "cannedresponse"),
        *crud("tickets", "ticket", "view"),
        *crud("tickets", "attachment", "view"),
    },
    Role.MANAGER: {
        *crud("tickets", "department"),
        *crud("tickets", "tickettype"),
        *crud("tickets", "priority"),
        *crud("tickets", "cannedresponse"),
        *crud("tickets", "ticket", "view", "change"),
        *crud("tickets", "attachment", "view"),
        *crud("tickets", "message", "view"),
        *crud("tickets", "ticketevent", "view"),
        *crud("taggit", "tag"),
    },
}

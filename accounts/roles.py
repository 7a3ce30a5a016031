"""Access levels (F02) as Django groups, and the admin permissions each one carries.

Each `accounts.models.Role` has a group of the same English name (`ROLE_GROUPS`). The groups are managed in
code: `sync_group_permissions()` gives each role group exactly the permissions listed for it, creating missing
groups. It runs from the data migration `accounts/0003_role_groups` and after every `migrate` (post_migrate, see
`AccountsConfig.ready`), so permissions that a later migration creates are picked up automatically. Permissions
added to a role group by hand in the admin are reset at the next migrate: use another group for one-off grants.

How a later app adds its permissions to the roles
-------------------------------------------------
Create `<app>/roles.py` with a mapping from role to permission names (`"<app_label>.<codename>"`)::

    from accounts.models import Role
    from accounts.roles import crud

    ROLE_PERMISSIONS = {
        Role.SUPERVISOR: {*crud("tickets", "department", "view"), "tickets.view_ticket"},
        Role.MANAGER: {*crud("tickets", "department", "view", "add", "change")},
    }

That is all: every installed app's `roles.ROLE_PERMISSIONS` is merged with the mapping below on the next
`migrate`. Roles do not inherit from each other, so list a permission under every role that should have it.
The Admin role always gets every permission there is. Permissions that do not exist (yet) are ignored.
"""

import logging
from collections.abc import Iterable
from importlib import import_module

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.utils.module_loading import module_has_submodule

from accounts.models import Role

logger = logging.getLogger(__name__)

ROLE_GROUPS: dict[str, str] = {
    Role.CUSTOMER: "Customer",
    Role.AGENT: "Agent",
    Role.SUPERVISOR: "Supervisor",
    Role.MANAGER: "Manager",
    Role.ADMIN: "Admin",
}
GROUP_ROLES: dict[str, str] = {name: role for role, name in ROLE_GROUPS.items()}
ALL_PERMISSIONS = "*"


def group_label(name: str) -> str:
    """A group's name as shown: a role group's is its role's label in the active language («مشتری»), any other
    group's is its name as stored. The role groups keep their English names: `ROLE_GROUPS` finds them by those."""
    role = GROUP_ROLES.get(name)
    return str(Role(role).label) if role else name


def install_group_labels() -> None:
    """Name every group by `group_label` wherever Django shows one (the admin's group pages and their titles and
    history, the groups picker, filters): `auth.Group` is Django's model, so its `__str__` is replaced here, once,
    from `AccountsConfig.ready`."""
    from django.contrib.auth.models import Group

    def name(group: Group) -> str:
        return group_label(group.name)

    Group.__str__ = name  # type: ignore[method-assign,assignment]


def crud(app_label: str, model: str, *actions: str) -> set[str]:
    """`crud("accounts", "customer", "view", "add")` → {"accounts.view_customer", "accounts.add_customer"}."""
    actions = actions or ("view", "add", "change", "delete")
    return {f"{app_label}.{action}_{model}" for action in actions}


_SUPERVISOR = {
    *crud("accounts", "customer", "view", "add", "change"),
    *crud("accounts", "employee", "view"),
    *crud("accounts", "organisation", "view", "add", "change"),
    *crud("helpdesk", "sitesettings", "view"),
    *crud("helpdesk", "ipblock", "view"),
}

# accounts and helpdesk (site-wide) permissions; other apps add theirs in their own roles.py.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.CUSTOMER: set(),
    Role.AGENT: set(),
    Role.SUPERVISOR: _SUPERVISOR,
    Role.MANAGER: {
        *_SUPERVISOR,
        *crud("accounts", "employee", "view", "add", "change"),
        *crud("accounts", "organisation"),
        *crud("helpdesk", "sitesettings", "view", "change"),
        *crud("helpdesk", "ipblock"),
        # Unlock accounts that django-axes locked after repeated failed logins.
        *crud("axes", "accessattempt", "view", "delete"),
        *crud("axes", "accessfailurelog", "view"),
    },
    Role.ADMIN: {ALL_PERMISSIONS},
}


def role_permission_map() -> dict[str, set[str]]:
    """This module's mapping merged with every installed app's `<app>.roles.ROLE_PERMISSIONS`."""
    merged = {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for app_config in global_apps.get_app_configs():
        if app_config.name == "accounts" or not module_has_submodule(app_config.module, "roles"):
            continue
        extra = getattr(import_module(f"{app_config.name}.roles"), "ROLE_PERMISSIONS", {})
        for role, perms in extra.items():
            merged.setdefault(Role(role), set()).update(perms)
    return merged


def _permission_ids(names: Iterable[str], index: dict[str, int]) -> set[int]:
    if ALL_PERMISSIONS in names:
        return set(index.values())
    return {index[name] for name in names if name in index}


def sync_group_permissions(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups if missing and give each exactly its mapped permissions. Idempotent.

    `apps` is the app registry to take the models from (a migration passes its historical `apps`).
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    index = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    mapping = role_permission_map()
    for role, name in ROLE_GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = _permission_ids(mapping.get(role, set()), index)
        group.permissions.set(wanted)
    logger.debug("role groups synchronised (%d permissions known)", len(index))


def _is_last_app_migrated(sender) -> bool:
    """post_migrate is sent once per app (in INSTALLED_APPS order); permissions exist for all after the last."""
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    return bool(with_models) and sender.label == with_models[-1].label


def on_post_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    if _is_last_app_migrated(sender):
        sync_group_permissions(apps=apps, using=using)

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Role
from accounts.roles import ROLE_GROUPS, crud, role_permission_map, sync_group_permissions

pytestmark = pytest.mark.django_db


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS.values())
    assert set(ROLE_GROUPS.values()) == {"Customer", "Agent", "Supervisor", "Manager", "Admin"}


def test_role_groups_carry_sensible_permissions():
    assert perms("Customer") == set()
    supervisor, manager, admin = perms("Supervisor"), perms("Manager"), perms("Admin")
    assert {"accounts.view_customer", "accounts.add_customer", "accounts.change_customer"} <= supervisor
    assert "accounts.add_employee" not in supervisor
    assert "helpdesk.change_sitesettings" not in supervisor
    assert {"helpdesk.view_sitesettings", "helpdesk.view_ipblock"} <= supervisor
    assert {"accounts.add_employee", "helpdesk.change_sitesettings", "helpdesk.add_ipblock"} <= manager
    assert "accounts.delete_customer" not in manager
    everything = Permission.objects.select_related("content_type")
    assert admin == {f"{p.content_type.app_label}.{p.codename}" for p in everything}


def test_sync_is_idempotent_and_repairs_hand_edits():
    supervisor = Group.objects.get(name="Supervisor")
    before = perms("Supervisor")
    supervisor.permissions.add(Permission.objects.get(codename="delete_user"))
    Group.objects.filter(name="Agent").delete()

    sync_group_permissions()
    sync_group_permissions()

    assert perms("Supervisor") == before
    assert Group.objects.filter(name="Agent").exists()


def test_crud_helper():
    assert crud("tickets", "ticket", "view") == {"tickets.view_ticket"}
    assert len(crud("tickets", "ticket")) == 4


def test_other_apps_extend_the_mapping(monkeypatch):
    """An app's `roles.ROLE_PERMISSIONS` is merged into the mapping (see the docstring of accounts.roles)."""
    import sys
    import types

    from django.apps import apps

    fake = types.ModuleType("helpdesk.roles")
    fake.ROLE_PERMISSIONS = {Role.AGENT: {"helpdesk.view_ipblock"}}
    monkeypatch.setitem(sys.modules, "helpdesk.roles", fake)
    monkeypatch.setattr("accounts.roles.module_has_submodule", lambda module, name: module.__name__ == "helpdesk")

    assert "helpdesk.view_ipblock" in role_permission_map()[Role.AGENT]
    sync_group_permissions()
    assert perms("Agent") == {"helpdesk.view_ipblock"}
    assert apps.is_installed("helpdesk")

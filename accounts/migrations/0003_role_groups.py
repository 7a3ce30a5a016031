"""Create the role groups (F02): Customer, Agent, Supervisor, Manager, Admin.

Permissions for a fresh database are only created after all migrations (post_migrate), so this migration gives
the groups what already exists and `accounts.roles.on_post_migrate` completes them after every migrate.
"""

from django.db import migrations

ROLE_GROUP_NAMES = ["Customer", "Agent", "Supervisor", "Manager", "Admin"]


def create_groups(apps, schema_editor):
    from accounts.roles import sync_group_permissions

    sync_group_permissions(apps=apps, using=schema_editor.connection.alias)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLE_GROUP_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_proxies_email_ci"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

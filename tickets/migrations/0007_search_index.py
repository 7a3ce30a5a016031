"""The keyword index (`tickets.search`): a stored tsvector column with a GIN index on PostgreSQL (replacing
the expression index of 0002), an FTS5 table kept in step by triggers on SQLite, back-filled from the rows."""

from django.db import migrations

from tickets import search


def install(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in search.POSTGRES_INSTALL:
            schema_editor.execute(statement)
    elif connection.vendor == "sqlite":
        search.sqlite_install(connection)


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for statement in search.POSTGRES_UNINSTALL:
            schema_editor.execute(statement)
    elif connection.vendor == "sqlite":
        search.sqlite_uninstall(connection)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0006_message_sender_unverified"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]

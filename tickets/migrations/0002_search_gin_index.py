"""Full-text index over Ticket.search_document, PostgreSQL only.

Queries must use the same expression to hit it: to_tsvector('simple', search_document)
(Django: SearchVector("search_document", config="simple")). On SQLite this migration does nothing.
"""

from django.db import migrations

INDEX = "ticket_search_document_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON tickets_ticket "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]

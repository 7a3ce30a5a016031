"""Full-text index for knowledge-base search, PostgreSQL only (SQLite uses the fallback in selectors).

The index is built on the same weighted expression that `knowledgebase.selectors.search_vector()` produces
(title A, tags B, body C over the normalised columns, config 'simple'), so the planner can use it.
"""

from django.db import migrations

INDEX_NAME = "kb_article_search_gin"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(
        SearchVector("search_title", weight="A", config="simple")
        + SearchVector("search_tags", weight="B", config="simple")
        + SearchVector("search_body", weight="C", config="simple"),
        name=INDEX_NAME,
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("knowledgebase", "Article"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("knowledgebase", "Article"), _index())


class Migration(migrations.Migration):
    dependencies = [
        ("knowledgebase", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]

# The first step of moving the notification tables to the `notifications` app (issue #9): a row's foreign key to a
# ticket event gives way to two generic references (its source: the event; its target: the event's ticket) and to
# what an email's delivery used to read from the ticket (Reply-To, thread). 0005 fills them, 0006 drops the key;
# `notifications/0001` then takes the models over and `notifications/0002` renames the tables. (Three migrations,
# not one: PostgreSQL refuses to alter a table in the transaction that has just updated its rows.)

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("helpdesk", "0003_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="source_type",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype", verbose_name="source type"),
        ),
        migrations.AddField(
            model_name="notification",
            name="source_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="source ID"),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_type",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype", verbose_name="target type"),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="target ID"),
        ),
        migrations.AddField(
            model_name="notification",
            name="reply_to",
            field=models.CharField(blank=True, max_length=254, verbose_name="Reply-To"),
        ),
        migrations.AddField(
            model_name="notification",
            name="thread_id",
            field=models.CharField(blank=True, help_text="Message-ID this email answers (In-Reply-To).", max_length=255, verbose_name="thread"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ),
    ]

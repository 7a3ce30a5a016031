# Delivery with a lease and a due time (issue #10, items 2-4): `due_at` (pending: when the sweep queues the row again
# at the latest; sending: when its worker's lease ends), `first_attempt_at` (retries last a duration from it),
# `handed_over_at` (the current attempt reached the provider's call), and the state `uncertain` for an email that may
# or may not have gone out.
#
# Rows written by the code before: a pending row was due at the sweep 300 s after its last move; a row sending was
# recovered 900 s after its claim and, having no mark, may have been handed over; an email the old sweep marked
# `failed` because its worker died "may or may not have been delivered": it is `uncertain`.

from datetime import timedelta

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F

OLD_STALE = timedelta(seconds=300)
OLD_SENDING_TIMEOUT = timedelta(seconds=900)
OLD_INTERRUPTED = "interrupted while sending; it may or may not have been delivered"


def forward(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.using(schema_editor.connection.alias)
    rows.update(due_at=F("touched_at"))
    rows.filter(state="pending").update(due_at=F("touched_at") + OLD_STALE)
    rows.filter(state="sending").update(due_at=F("touched_at") + OLD_SENDING_TIMEOUT, handed_over_at=F("touched_at"))
    rows.filter(state="failed", channel="email", last_error__startswith=OLD_INTERRUPTED).update(state="uncertain")


def backward(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.using(schema_editor.connection.alias)
    rows.filter(state="uncertain").update(state="failed")


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_table_names"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_state_valid",
        ),
        migrations.RemoveIndex(
            model_name="notification",
            name="notification_state_touched",
        ),
        migrations.AddField(
            model_name="notification",
            name="due_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="Pending: when the next attempt is due at the latest. Sending: when the lease of the worker "
                "sending it ends.",
                verbose_name="due",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="first_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first attempt"),
        ),
        migrations.AddField(
            model_name="notification",
            name="handed_over_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the current attempt handed the message to the email or SMS provider.",
                null=True,
                verbose_name="handed to the provider",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("parked", "Parked"),
                    ("uncertain", "Uncertain"),
                ],
                default="pending",
                max_length=10,
                verbose_name="state",
            ),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["state", "due_at"], name="notification_state_due"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state__in", ["pending", "sending", "sent", "failed", "parked", "uncertain"])
                ),
                name="notification_state_valid",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]

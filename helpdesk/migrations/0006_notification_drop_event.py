# The rows no longer point at a ticket event by a foreign key (0005 copied it into the generic source): one row per
# source, recipient and channel, as it was one per event, recipient and channel.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0005_notification_event_to_references"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="notification", name="notification_once_per_event"),
        migrations.RemoveField(model_name="notification", name="event"),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(fields=("source_type", "source_id", "recipient", "channel"), name="notification_once_per_event"),
        ),
    ]

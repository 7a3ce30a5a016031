# The notification models now belong to the `notifications` app (its 0001 took them over, tables and all): they
# leave helpdesk's migration state; nothing changes in the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0006_notification_drop_event"),
        ("notifications", "0001_move_from_helpdesk"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationPreference"),
                migrations.DeleteModel(name="DeliveryAlert"),
            ],
        ),
    ]

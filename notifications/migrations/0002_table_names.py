# The tables taken over from helpdesk get this app's names (notifications_notification, …).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0007_notifications_moved"),
        ("notifications", "0001_move_from_helpdesk"),
    ]

    operations = [
        migrations.AlterModelTable(name="notification", table=None),
        migrations.AlterModelTable(name="notificationpreference", table=None),
        migrations.AlterModelTable(name="deliveryalert", table=None),
    ]

# The tables taken over from helpdesk get this app's names (notifications_notification, …), and the admins' delivery
# alerts already written (panel and email) link to the outbox's admin page at its new address.

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Replace

OLD = "/admin/helpdesk/notification/"
NEW = "/admin/notifications/notification/"


def relink(old: str, new: str):
    def run(apps, schema_editor):
        Notification = apps.get_model("notifications", "Notification")
        alerts = Notification.objects.using(schema_editor.connection.alias).filter(
            kind="delivery_parked", link__contains=old
        )
        alerts.update(**{field: Replace(field, Value(old), Value(new)) for field in ("link", "body", "html")})

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0007_notifications_moved"),
        ("notifications", "0001_move_from_helpdesk"),
    ]

    operations = [
        migrations.AlterModelTable(name="notification", table=None),
        migrations.AlterModelTable(name="notificationpreference", table=None),
        migrations.AlterModelTable(name="deliveryalert", table=None),
        migrations.RunPython(relink(OLD, NEW), relink(NEW, OLD)),
    ]

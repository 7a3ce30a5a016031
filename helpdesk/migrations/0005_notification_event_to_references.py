# Fills the references 0004 added from each row's ticket event (see 0004).

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def event_to_references(apps, schema_editor):
    db = schema_editor.connection.alias
    Notification = apps.get_model("helpdesk", "Notification")
    rows = Notification.objects.using(db).exclude(event=None)
    if not rows.exists():
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    event_type, _ = ContentType.objects.using(db).get_or_create(app_label="tickets", model="ticketevent")
    ticket_type, _ = ContentType.objects.using(db).get_or_create(app_label="tickets", model="ticket")
    rows.update(
        source_type=event_type,
        source_id=F("event_id"),
        target_type=ticket_type,
        target_id=Subquery(TicketEvent.objects.using(db).filter(pk=OuterRef("event_id")).values("ticket_id")[:1]),
    )
    # The live functions, so that an upgraded row reads exactly like one written after the upgrade.
    from notifications.tokens import reply_address
    from tickets.notifications import thread_root_id

    waiting = rows.filter(channel="email").exclude(state="sent")  # failed and parked ones may be sent again
    for ticket in Ticket.objects.using(db).filter(pk__in=waiting.values("target_id")):
        waiting.filter(target_id=ticket.pk).update(reply_to=reply_address(ticket.pk), thread_id=thread_root_id(ticket))


def references_to_event(apps, schema_editor):
    db = schema_editor.connection.alias
    Notification = apps.get_model("helpdesk", "Notification")
    ContentType = apps.get_model("contenttypes", "ContentType")
    event_type = ContentType.objects.using(db).filter(app_label="tickets", model="ticketevent").first()
    if event_type is not None:
        Notification.objects.using(db).filter(source_type=event_type).update(event_id=F("source_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0004_notification_generic_reference"),
        ("tickets", "0003_sla"),
    ]

    operations = [
        migrations.RunPython(event_to_references, references_to_event),
    ]

"""Two more indexes the reports read alone: replies per agent in a period (it replaces `message_created`, which only
they used), and the tickets that ratings, replies and status events are joined to for the scope."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0010_report_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='message',
            name='message_created',
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['created_at', 'author', 'is_internal', 'ticket'], name='message_report_replies'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['id', 'merged_into', 'department', 'assignee'], name='ticket_report_scope'),
        ),
    ]

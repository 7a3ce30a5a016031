"""Indexes for the reports (`reports.selectors`): the times of the tickets created or resolved in a range, and the
tickets open now, each answered from its index alone (the reports' queries read no other column)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0009_search_active_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['created_at', 'department', 'assignee', 'channel', 'first_response_business_seconds', 'first_response_seconds', 'merged_into'], name='ticket_report_fr'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['resolved_at', 'department', 'assignee', 'channel', 'resolution_business_seconds', 'resolution_seconds', 'reopen_count', 'merged_into'], name='ticket_report_res'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['status', 'department', 'priority', 'merged_into'], name='ticket_report_open'),
        ),
    ]

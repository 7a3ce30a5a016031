# The notification models move from `helpdesk` to this app (issue #9) without touching the tables: they are created
# here in the migration state only, on the tables as `helpdesk/0004`–`0006` left them (`helpdesk/0007` drops them
# from helpdesk's state; `0002` renames the tables). Their content types move too, so the permissions given to
# groups, and the admin log, stay attached to them.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("notification", "notificationpreference", "deliveryalert")


def move_content_types(old: str, new: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        for model in MODELS:
            if not types.filter(app_label=new, model=model).exists():  # never two rows for one model
                types.filter(app_label=old, model=model).update(app_label=new)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("helpdesk", "0006_notification_drop_event"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeliveryAlert',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=20, verbose_name='channel')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('raised_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='raised')),
                        ('cleared_at', models.DateTimeField(blank=True, null=True, verbose_name='cleared')),
                    ],
                    options={
                        'db_table': 'helpdesk_deliveryalert',
                        'verbose_name': 'delivery alert',
                        'verbose_name_plural': 'delivery alerts',
                        'ordering': ['-raised_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('cleared_at__isnull', True)), fields=('key',), name='delivery_alert_one_open')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('email', 'Email'), ('sms', 'SMS'), ('panel', 'Panel')], max_length=8, verbose_name='channel')),
                        ('kind', models.CharField(max_length=40, verbose_name='kind')),
                        ('source_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='source ID')),
                        ('target_id', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='target ID')),
                        ('address', models.CharField(blank=True, help_text='Email address or mobile.', max_length=254, verbose_name='address')),
                        ('subject', models.CharField(blank=True, max_length=255, verbose_name='subject')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('html', models.TextField(blank=True, verbose_name='HTML')),
                        ('link', models.CharField(blank=True, max_length=500, verbose_name='link')),
                        ('reply_to', models.CharField(blank=True, max_length=254, verbose_name='Reply-To')),
                        ('thread_id', models.CharField(blank=True, help_text='Message-ID this email answers (In-Reply-To).', max_length=255, verbose_name='thread')),
                        ('state', models.CharField(choices=[('pending', 'Pending'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed'), ('parked', 'Parked')], default='pending', max_length=8, verbose_name='state')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('provider_message_id', models.CharField(blank=True, db_index=True, max_length=255, verbose_name='provider message ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('touched_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='last activity')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
                        ('source_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='source type')),
                        ('target_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contenttypes.contenttype', verbose_name='target type')),
                    ],
                    options={
                        'db_table': 'helpdesk_notification',
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['state', 'touched_at'], name='notification_state_touched'), models.Index(fields=['recipient', 'channel', '-created_at'], name='notification_inbox'), models.Index(fields=['kind'], name='notification_kind'), models.Index(fields=['target_type', 'target_id'], name='notification_target')],
                        'constraints': [models.UniqueConstraint(fields=('source_type', 'source_id', 'recipient', 'channel'), name='notification_once_per_event'), models.CheckConstraint(condition=models.Q(('state__in', ['pending', 'sending', 'sent', 'failed', 'parked'])), name='notification_state_valid'), models.CheckConstraint(condition=models.Q(('channel__in', ['email', 'sms', 'panel'])), name='notification_channel_valid')],
                    },
                ),
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('group', models.CharField(max_length=20, verbose_name='events')),
                        ('email', models.BooleanField(default=True, verbose_name='email')),
                        ('sms', models.BooleanField(default=True, verbose_name='SMS')),
                        ('panel', models.BooleanField(default=True, verbose_name='panel')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'db_table': 'helpdesk_notificationpreference',
                        'verbose_name': 'notification preference',
                        'verbose_name_plural': 'notification preferences',
                        'constraints': [models.UniqueConstraint(fields=('user', 'group'), name='notification_preference_unique')],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            move_content_types("helpdesk", "notifications"), move_content_types("notifications", "helpdesk")
        ),
    ]

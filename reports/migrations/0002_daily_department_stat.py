"""The roll-up's sums per day, department and channel (`DailyDepartmentStat`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_daily_ticket_stat'),
        ('tickets', '0009_search_active_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='DailyDepartmentStat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('created', models.PositiveIntegerField(default=0)),
                ('fr_target', models.PositiveIntegerField(default=0)),
                ('fr_met', models.PositiveIntegerField(default=0)),
                ('fr_breached', models.PositiveIntegerField(default=0)),
                ('escalated', models.PositiveIntegerField(default=0)),
                ('escalated_managers', models.PositiveIntegerField(default=0)),
                ('resolved', models.PositiveIntegerField(default=0)),
                ('res_target', models.PositiveIntegerField(default=0)),
                ('res_met', models.PositiveIntegerField(default=0)),
                ('res_breached', models.PositiveIntegerField(default=0)),
                ('finished', models.PositiveIntegerField(default=0)),
                ('reopened', models.PositiveIntegerField(default=0)),
                ('channel', models.CharField(choices=[('web', 'Web'), ('staff', 'Staff'), ('email', 'Email'), ('sms', 'SMS')], max_length=8, verbose_name='channel')),
                ('department', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tickets.department', verbose_name='department')),
            ],
            options={
                'verbose_name': 'daily department numbers',
                'verbose_name_plural': 'daily department numbers',
                'indexes': [models.Index(fields=['department', 'day'], name='department_stat_day')],
            },
        ),
    ]

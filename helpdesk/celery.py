import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.production")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def catch_up_daily_jobs(sender, **kwargs):
    """When beat starts, queue the daily jobs that may have been missed while nothing ran (by name; each is safe
    to run twice). A broker error is logged by Celery's signal dispatch and beat starts all the same."""
    from django.conf import settings

    for name in settings.BEAT_CATCH_UP_TASKS:
        sender.app.send_task(name)

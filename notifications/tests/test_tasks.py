"""The Celery tasks keep the names they had before the app left `helpdesk/`: messages already queued under those
names during an upgrade still find their task, and the beat schedule names them."""

from django.conf import settings

from helpdesk.celery import app
from notifications.tasks import deliver_notification, sweep_pending


def test_the_tasks_answer_to_their_old_names():
    assert deliver_notification.name == "helpdesk.tasks.deliver_notification"
    assert sweep_pending.name == "helpdesk.tasks.sweep_pending"
    assert app.tasks["helpdesk.tasks.deliver_notification"] is deliver_notification._get_current_object()
    assert app.tasks["helpdesk.tasks.sweep_pending"] is sweep_pending._get_current_object()


def test_the_beat_schedule_names_a_registered_task():
    task = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["task"]
    assert app.tasks[task] is sweep_pending._get_current_object()

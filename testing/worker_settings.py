"""Settings of a Celery worker *process* started by the fault drills (`testing.faults.worker_process`): the test
settings, not eager, with an email backend whose messages the test process can count (files)."""

from helpdesk.settings.test import *  # noqa: F403
from helpdesk.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
EMAIL_BACKEND = "testing.mail.SlowFileBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default="")
TEST_EMAIL_DELAY = env.float("TEST_EMAIL_DELAY", default=0.0)

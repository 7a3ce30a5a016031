"""`manage.py runall` in `test_runall.py`: the development settings, with the SLA scan every 2 seconds instead of
every minute so the test needn't wait (what `make run` does is otherwise unchanged)."""

from helpdesk.settings.dev import *  # noqa: F403
from helpdesk.settings.dev import CELERY_BEAT_SCHEDULE

CELERY_BEAT_SCHEDULE = {**CELERY_BEAT_SCHEDULE, "sla-scan": {**CELERY_BEAT_SCHEDULE["sla-scan"], "schedule": 2.0}}

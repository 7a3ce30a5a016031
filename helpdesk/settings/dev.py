"""Development: DEBUG on, a fixed throw-away secret, SQLite, and Celery on an embedded broker unless configured.

`make run` (`manage.py runall`) serves HOST:PORT and starts a Celery worker and beat beside the web server; tasks
always go through the broker (as in production), never in-process.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, BASE_DIR, CELERY_BROKER_URL, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
# The demo's email-in: `manage.py inbound_sample` posts a message to /anymail/postmark/inbound/ (see the README).
INBOUND_EMAIL_PROVIDER = env("INBOUND_EMAIL_PROVIDER", default="postmark")

# The address `make run` serves (HOST, PORT), and how this machine reaches it: a wildcard bind address (0.0.0.0,
# ::) as 127.0.0.1. Links in emails and SMS follow it unless SITE_URL is set.
RUN_HOST = env("HOST", default="127.0.0.1")
RUN_PORT = env.int("PORT", default=8000)
_here = "127.0.0.1" if RUN_HOST in ("0.0.0.0", "::") else RUN_HOST  # noqa: S104 - compared, not bound
_here = f"[{_here}]" if ":" in _here else _here  # an IPv6 address, as written in a URL and in ALLOWED_HOSTS
RUN_URL = f"http://{_here}:{RUN_PORT}"
SITE_URL = env("SITE_URL", default=RUN_URL)
if "ALLOWED_HOSTS" not in env and _here not in ALLOWED_HOSTS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, _here]

# Files of `make run` (the embedded broker's messages, beat's schedule); gitignored.
RUN_DIR = Path(env("RUN_DIR", default=str(BASE_DIR / ".run")))
if not CELERY_BROKER_URL:
    # kombu's filesystem transport (helpdesk/broker.py): no extra package, no server, nothing written to SQLite; a
    # message is a file, deleted once the worker has taken it. The README says why this one.
    CELERY_BROKER_URL = "filesystem://localhost/"  # the host is ignored; naming one keeps kombu from warning
    CELERY_BROKER_TRANSPORT = "helpdesk.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(RUN_DIR / "broker" / "queue"),
        "data_folder_out": str(RUN_DIR / "broker" / "queue"),
        "control_folder": str(RUN_DIR / "broker" / "control"),
        # Seconds between looks at an empty folder; also the pause while the worker's prefetch is full (kombu's
        # default of 1 s would deliver about 2 tasks a second).
        "polling_interval": 0.1,
    }
CELERY_TASK_ALWAYS_EAGER = False

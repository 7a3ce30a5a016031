"""Development: DEBUG on, a fixed throw-away secret, SQLite and in-process tasks unless configured."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
# The demo's email-in: `manage.py inbound_sample` posts a message to /anymail/postmark/inbound/ (see the README).
INBOUND_EMAIL_PROVIDER = env("INBOUND_EMAIL_PROVIDER", default="postmark")

"""Settings for `make bench`: production-like (DEBUG off, templates cached), on a database of its own.

The database is `DATABASE_URL` when set, else `bench/bench.sqlite3` — never the development database.
"""

import os
import tempfile
from pathlib import Path

from helpdesk.settings.base import *  # noqa: F403
from helpdesk.settings.base import BASE_DIR, DATABASES, env

BENCH_DIR = Path(__file__).resolve().parent
BENCH_SQLITE = BENCH_DIR / "bench.sqlite3"

DEBUG = False
SECRET_KEY = "bench-only-key"  # noqa: S105 - a throw-away process, never deployed
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="helpdesk-bench-media-")
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
LANGUAGE_CODE = "fa"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            **DATABASES["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BENCH_SQLITE),
        }
    }
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DATABASES["default"]["CONN_MAX_AGE"] = None  # one connection for the whole run, like a warm worker

if Path(str(DATABASES["default"].get("NAME", ""))).resolve() == (BASE_DIR / "db.sqlite3").resolve():
    raise SystemExit("bench: refusing to use the development database; unset DATABASE_URL or point it elsewhere.")

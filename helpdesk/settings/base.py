"""Settings shared by every environment. Everything deployment-specific comes from the environment.

The README's configuration table lists every variable read here; keep them in step.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "helpdesk.apps.HelpdeskAdminConfig",  # django.contrib.admin, in Persian (helpdesk/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "helpdesk.apps.TaggitConfig",  # taggit, with a translated heading
    "anymail",
    "helpdesk.apps.AxesConfig",  # axes, with a translated heading
    "csp",
    "django_otp",
    "helpdesk.apps.OtpTotpConfig",  # django_otp.plugins.otp_totp, with translated names
    "helpdesk",
    "accounts",
    "notifications",
    "tickets",
    "automation",
    "inbound",
    "knowledgebase",
    "limits",
    "reports",
]

MIDDLEWARE = [
    "helpdesk.middleware.IPBlockMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "helpdesk.middleware.PersianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "helpdesk.audit.AuditContextMiddleware",
    "accounts.middleware.AccountStatusMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.MaintenanceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection may have died while idle (database restart, failover, an idle timeout): check it before the
# first query of each request and reconnect, instead of answering that request with a 500. It costs nothing when
# connections are not kept (CONN_MAX_AGE=0: every request opens a fresh one).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; a busy timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrMobileBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection (django-axes): lock the account+address pair after repeated failures …
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# … and the account itself, from any address, after more failures and for longer (accounts/lockout.py counts
# axes' failure log, which therefore is on).
AXES_HANDLER = "accounts.lockout.AccountLockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True
ACCOUNT_LOCKOUT_FAILURE_LIMIT = env.int("ACCOUNT_LOCKOUT_FAILURE_LIMIT", default=20)
ACCOUNT_LOCKOUT_COOLOFF_HOURS = env.float("ACCOUNT_LOCKOUT_COOLOFF_HOURS", default=1.0)
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_CLIENT_IP_CALLABLE = "helpdesk.net.axes_client_ip"
AXES_VERBOSE = False

# Self-registration by SMS (when the site settings allow it, `accounts.signup`): a code lives this many minutes and
# takes this many wrong tries; a number, and a client address, get this many codes an hour.
SIGNUP_CODE_MINUTES = env.int("SIGNUP_CODE_MINUTES", default=10)
SIGNUP_CODE_ATTEMPTS = env.int("SIGNUP_CODE_ATTEMPTS", default=5)
SIGNUP_CODES_PER_NUMBER = env.int("SIGNUP_CODES_PER_NUMBER", default=3)
SIGNUP_CODES_PER_ADDRESS = env.int("SIGNUP_CODES_PER_ADDRESS", default=10)
# ... and by email: a link lives this many minutes (requests are kept a day, or as long as a link lives) and an
# email address gets this many links an hour; the client address's limit above counts both kinds.
SIGNUP_LINK_MINUTES = env.int("SIGNUP_LINK_MINUTES", default=60)
SIGNUP_LINKS_PER_EMAIL = env.int("SIGNUP_LINKS_PER_EMAIL", default=3)
# Password reset by SMS (`accounts.password_sms`, customers with a mobile number and no email): the same kinds of
# limits for its codes.
PASSWORD_RESET_SMS_MINUTES = env.int("PASSWORD_RESET_SMS_MINUTES", default=10)
PASSWORD_RESET_SMS_ATTEMPTS = env.int("PASSWORD_RESET_SMS_ATTEMPTS", default=5)
PASSWORD_RESET_SMS_PER_NUMBER = env.int("PASSWORD_RESET_SMS_PER_NUMBER", default=3)
PASSWORD_RESET_SMS_PER_ADDRESS = env.int("PASSWORD_RESET_SMS_PER_ADDRESS", default=10)

# Internationalisation: Persian first, English second.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Cache: Redis when configured (shared by every web process), local memory otherwise. Only ever an optimisation
# (helpdesk/cache.py): a cache that is down or unreachable costs a page at most a second, and one log line.
REDIS_URL = env("REDIS_URL", default="")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "helpdesk"}}
# Rendered template fragments (`{% cache %}`, the queue's filter and bulk forms): kept in each process, never in
# Redis, because their keys carry the version of what they show (a fetch over the network would cost about what
# rendering them does).
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 300},  # each 15–40 kB (the staff and department lists): ≤ 12 MB a process
}

# Celery: Redis broker when configured; otherwise tasks run in-process (development has its own embedded broker:
# settings/dev.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 7200}
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# Email: the console in development; any django-anymail ESP by settings.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="helpdesk@localhost")
# Seconds an SMTP connection may block (Django's default is for ever; a delivery must fit in its lease).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=20.0)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = env.dict("ANYMAIL", default={})

# Client address: REMOTE_ADDR unless a trusted proxy header is named (e.g. HTTP_X_FORWARDED_FOR)
# together with the number of proxies in front of us. Without it, forwarded headers are ignored.
TRUSTED_PROXY_HEADER = env("TRUSTED_PROXY_HEADER", default="")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)

# Site settings (title, logo, …) live in the database; this is only the cache lifetime.
SITE_SETTINGS_CACHE_SECONDS = 3600
LOGO_MAX_BYTES = 512 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TAGGIT_CASE_INSENSITIVE = True

# Content-Security-Policy (django-csp 4): only our own static files; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Every line goes through `console`, whose filter masks the Kavenegar receive secret in request paths
# (inbound/logmask.py); `django.server` (runserver's request lines) too. Gunicorn's own logs: gunicorn.conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "inbound.logmask.MaskSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Article 6 (limits app): the two named policies of docs/article6.md, validated here so a typo stops start-up,
# and the beat jobs that compute next period's ceilings and expire increase requests at the period's end.
from celery.schedules import crontab  # noqa: E402

from limits.conf import parse_bool_setting, parse_exemption_year_setting  # noqa: E402

ARTICLE6_FLOOR_TESTS_PAID_SALES = parse_bool_setting(
    "ARTICLE6_FLOOR_TESTS_PAID_SALES", env.str("ARTICLE6_FLOOR_TESTS_PAID_SALES", default="true")
)
ARTICLE6_EXEMPTION_YEAR = parse_exemption_year_setting(
    "ARTICLE6_EXEMPTION_YEAR", env.str("ARTICLE6_EXEMPTION_YEAR", default="period")
)
CELERY_BEAT_SCHEDULE["limits-compute-ceilings"] = {
    "task": "limits.tasks.compute_upcoming_ceilings",
    "schedule": crontab(hour=1, minute=0),  # Tehran time (CELERY_TIMEZONE); the day before a period starts
}
CELERY_BEAT_SCHEDULE["limits-expire-requests"] = {
    "task": "limits.tasks.expire_requests",
    "schedule": crontab(hour=0, minute=1),  # just after 23:59:59 on a period's last day
}
# Daily jobs that beat also queues each time it starts (helpdesk/celery.py), so a run missed while nothing ran (the
# current period's ceilings, request expiry) is caught up; each is safe to run twice.
BEAT_CATCH_UP_TASKS = ["limits.tasks.compute_upcoming_ceilings", "limits.tasks.expire_requests"]

# --- Site-wide settings, IP block list, maintenance (helpdesk/) ---
# Seconds a client is told to wait (Retry-After) while maintenance mode is on.
MAINTENANCE_RETRY_AFTER = 600
# Seconds /healthz waits for the Celery broker before answering "error".
HEALTH_BROKER_TIMEOUT = 2
# Uploaded files (attachments, article files, the logo) that no row references are deleted by a daily sweep once
# they are this many hours old: a rollback the services could not see left them (helpdesk/files.py).
UPLOADS_ORPHAN_HOURS = env.float("UPLOADS_ORPHAN_HOURS", default=6)
CELERY_BEAT_SCHEDULE["files-sweep-orphans"] = {
    "task": "helpdesk.tasks.sweep_orphan_files",
    "schedule": crontab(hour=3, minute=30),  # Tehran time, a quiet hour
}

# --- accounts ---------------------------------------------------------------------------------------------------
# django-axes counts failures per account whichever identifier was typed (email in any case, mobile in any
# spelling), so switching between them or respelling a mobile number does not reset the count.
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"

# Two-factor sign-in (accounts/twofactor.py, django-otp). The roles that must use it: these, plus those an admin
# ticks in «ورود دومرحله‌ای» in the admin. Production's default is the admins.
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=[])
# Wrong codes: each device waits FACTOR × 2^(failures-1) seconds before the next try (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = env.float("TWO_FACTOR_THROTTLE_FACTOR", default=1.0)
# Seconds between the password step and the code step (or enrolment) before the password must be typed again.
TWO_FACTOR_PENDING_SECONDS = 600

# --- Notifications (notifications/, helpdesk/sms) -------------------------------------------------------------------
# Absolute links in emails and SMS (no trailing slash).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Domain part of the Message-ID of our emails (`<…@MAIL_ID_DOMAIN>`).
MAIL_ID_DOMAIN = env("MAIL_ID_DOMAIN", default="helpdesk.localhost")
# Address that receives replies by email (email-in); ours go out with Reply-To `local+<signed ticket token>@domain`.
# Empty: no Reply-To, replies go to DEFAULT_FROM_EMAIL.
INBOUND_EMAIL_ADDRESS = env("INBOUND_EMAIL_ADDRESS", default="")
KAVENEGAR_API_KEY = env("KAVENEGAR_API_KEY", default="")
# SMS backend: console (log only), kavenegar, locmem (tests) or a dotted path to a helpdesk.sms.BaseSmsBackend.
# Default: kavenegar once an API key is configured (production), else console (development needs nothing).
SMS_BACKEND = env("SMS_BACKEND", default="kavenegar" if KAVENEGAR_API_KEY else "console")
KAVENEGAR_BASE_URL = env("KAVENEGAR_BASE_URL", default="https://api.kavenegar.com/v1")
KAVENEGAR_SENDER = env("KAVENEGAR_SENDER", default="")  # the sending line; empty: the account's default line
KAVENEGAR_TIMEOUT = env.float("KAVENEGAR_TIMEOUT", default=10.0)  # seconds per API call
# What one SMS costs, in rials (0: not set). The outbox admin shows the month's SMS count, and their cost with it.
SMS_PRICE_RIALS = env.int("SMS_PRICE_RIALS", default=0)
# A notification that could not go yet (gateway down, 5xx, timeout) is tried again after a random delay of up to
# BASE × 2^(attempt-1) seconds, at most CAP ("full jitter"), for RETRY_FOR seconds after its first attempt; the
# next failure after that marks it failed (and alerts the admins, once per outage).
NOTIFICATIONS_RETRY_BASE_SECONDS = env.float("NOTIFICATIONS_RETRY_BASE_SECONDS", default=30.0)
NOTIFICATIONS_RETRY_CAP_SECONDS = env.float("NOTIFICATIONS_RETRY_CAP_SECONDS", default=600.0)
NOTIFICATIONS_RETRY_FOR_SECONDS = env.float("NOTIFICATIONS_RETRY_FOR_SECONDS", default=3600.0)
# A notification still pending this many seconds after it was due (the broker lost it, or was down) is queued again
# by the sweep.
NOTIFICATIONS_STALE_SECONDS = env.int("NOTIFICATIONS_STALE_SECONDS", default=300)
# How long a worker holds a notification it is sending: longer than one delivery can take (two Kavenegar calls of
# KAVENEGAR_TIMEOUT, an email within EMAIL_TIMEOUT or anymail's 30 s). When a worker dies, the sweep (every minute)
# takes its rows back after this, so they are recovered within lease + 60 s (`notifications.W001` checks it).
NOTIFICATIONS_LEASE_SECONDS = env.float("NOTIFICATIONS_LEASE_SECONDS", default=45.0)
# The task lives in notifications/tasks.py; it keeps the name it had in helpdesk/tasks.py (queued messages carry it).
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {"task": "helpdesk.tasks.sweep_pending", "schedule": 60.0}

# --- SLA (tickets/services/sla.py) --------------------------------------------------------------------------------
# Every minute: SLA warnings (80% of a target), breaches and escalations, each recorded once.
CELERY_BEAT_SCHEDULE["sla-scan"] = {"task": "tickets.tasks.scan_sla", "schedule": 60.0}
# A person one batch of the scan would tell more than this many times (a backlog: 500 breaches to one supervisor)
# gets one summary per channel instead («N tickets breached their SLA»); the timeline events stay per ticket.
SLA_DIGEST_THRESHOLD = env.int("SLA_DIGEST_THRESHOLD", default=20)

# --- Reports (reports/stats.py) -----------------------------------------------------------------------------------
# Every 5 minutes: the daily roll-up's days whose tickets changed since the last run, and yesterday after midnight
# (the pages read today, and every day while the roll-up is behind, from the live tables).
CELERY_BEAT_SCHEDULE["reports-refresh-stats"] = {"task": "reports.tasks.refresh_stats", "schedule": 300.0}

# --- Email and SMS in (inbound/) ----------------------------------------------------------------------------------
# The anymail provider whose inbound webhook /anymail/<provider>/inbound/ answers (e.g. "postmark"); every other
# provider's address is a 404. Empty: email-in is off.
INBOUND_EMAIL_PROVIDER = env("INBOUND_EMAIL_PROVIDER", default="")
# Each message is stored, then processed by a task. A message being processed (or queued) for longer than this is
# taken up again by the sweep; after this many failed attempts it is marked failed.
INBOUND_LEASE_SECONDS = env.int("INBOUND_LEASE_SECONDS", default=120)
INBOUND_MAX_ATTEMPTS = env.int("INBOUND_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE["inbound-sweep"] = {"task": "inbound.tasks.sweep", "schedule": 60.0}
# Basic-auth credentials of anymail's webhooks ("user:password"; several, comma-separated, while rotating). The ESP
# posts to https://user:password@host/anymail/<esp>/inbound/. Added to ANYMAIL unless ANYMAIL already sets it.
_anymail_webhook_secret = env.list("ANYMAIL_WEBHOOK_SECRET", default=[])
if _anymail_webhook_secret and "WEBHOOK_SECRET" not in ANYMAIL:
    ANYMAIL = {**ANYMAIL, "WEBHOOK_SECRET": _anymail_webhook_secret}
# The authserv-id of the Authentication-Results header our receiving provider adds (e.g. "amazonses.com",
# "mx.google.com", your own MX's name; several comma-separated while moving). Only that header is read, for the
# DMARC / DKIM verdict on the sender: a header claiming another id may be the sender's forgery. Empty: no header is
# trusted, so no sender is verified (staff mail becomes internal notes, customer replies not sent to our signed
# reply address are held; `check --deploy` warns, inbound.W001).
INBOUND_AUTHSERV_ID = env.list("INBOUND_AUTHSERV_ID", default=[])
# A spam score (the provider's, e.g. SpamAssassin's) from which an inbound email is kept as spam, never posted, as
# when the provider marks it spam itself. Empty: only the provider's own mark counts.
INBOUND_SPAM_SCORE = env.float("INBOUND_SPAM_SCORE", default=None)
# Unknown senders (email address or mobile): "create" a customer for them, or "refuse" the message.
INBOUND_UNKNOWN_SENDERS = env("INBOUND_UNKNOWN_SENDERS", default="create")
# Department (name or id) of new tickets from email to an address no department's inbound_email matches.
INBOUND_EMAIL_DEPARTMENT = env("INBOUND_EMAIL_DEPARTMENT", default="")
# Department (name or id) of new tickets by SMS.
SMS_DEPARTMENT = env("SMS_DEPARTMENT", default="")
# Secret part of Kavenegar's receive-callback URL /inbound/sms/kavenegar/<secret>/ (empty: the callback is off).
KAVENEGAR_INBOUND_SECRET = env("KAVENEGAR_INBOUND_SECRET", default="")
# Seconds between polls of Kavenegar's sms/receive on KAVENEGAR_SENDER (0: no polling; use the callback).
INBOUND_SMS_POLL_SECONDS = env.int("INBOUND_SMS_POLL_SECONDS", default=0)
if INBOUND_SMS_POLL_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["inbound-sms-poll"] = {
        "task": "inbound.tasks.poll_sms",
        "schedule": float(INBOUND_SMS_POLL_SECONDS),
    }

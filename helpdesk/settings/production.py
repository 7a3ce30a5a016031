"""Production: DEBUG off, secrets required from the environment, HTTPS everywhere."""

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # required: no default in production
# Admins sign in with a second factor unless the deployment says otherwise (`accounts.W001` then warns).
TWO_FACTOR_REQUIRED_ROLES = env.list("TWO_FACTOR_REQUIRED_ROLES", default=["admin"])

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer or container probe asks /healthz over plain HTTP: answer it rather than redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy, name the header it sets, e.g. "HTTP_X_FORWARDED_PROTO,https".
_proxy_ssl = env.tuple("SECURE_PROXY_SSL_HEADER", default=())
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl) if _proxy_ssl else None
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

"""System checks of the site itself (`check --deploy`): the uploads folder is never public, and a broker is set.

Attachments (internal notes included) are stored under MEDIA_ROOT with unguessable names, and they leave only
through their permission-checked download views; the public branding has its own route (`helpdesk/branding.py`).
A URL pattern that serves MEDIA_URL (Django's `static()` helper, `django.views.static.serve` over MEDIA_ROOT) or a
static-files setting that publishes MEDIA_ROOT (WhiteNoise serves STATIC_ROOT, STATICFILES_DIRS and WHITENOISE_ROOT
to anyone) would hand every attachment to whoever has its address.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.views.static import serve

MEDIA_HINT = (
    "Remove the pattern or setting: attachments are served only by their download views and the logo by "
    "/branding/<name>. The web server in front must not serve MEDIA_ROOT either (README, «Media and the web server»)."
)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _serves_media(patterns, media_root: Path) -> bool:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if _serves_media(pattern.url_patterns, media_root):
                return True
        elif isinstance(pattern, URLPattern) and pattern.callback is serve:
            root = pattern.default_args.get("document_root")
            if root is None or _inside(media_root, Path(root).resolve()):
                return True
    return False


def public_media_problems() -> list[str]:
    """What makes MEDIA_ROOT public, in words (empty when nothing does)."""
    problems = []
    media_root = Path(settings.MEDIA_ROOT).resolve()
    media_url = settings.MEDIA_URL or "/"
    if _serves_media(get_resolver().url_patterns, media_root):
        problems.append("a URL pattern serves MEDIA_ROOT with django.views.static.serve")
    else:
        try:
            match = resolve(f"{media_url.rstrip('/')}/attachments/probe.pdf")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "branding":
            problems.append(f"a URL pattern answers under MEDIA_URL ({media_url}): {match.view_name or match.route}")
    published: dict[str, list[Any]] = {
        "STATIC_ROOT": [settings.STATIC_ROOT],
        "STATICFILES_DIRS": [e[1] if isinstance(e, list | tuple) else e for e in settings.STATICFILES_DIRS],
        "WHITENOISE_ROOT": [getattr(settings, "WHITENOISE_ROOT", None)],
    }
    for name, folders in published.items():
        for folder in folders:
            if folder and (_inside(media_root, Path(folder).resolve()) or _inside(Path(folder).resolve(), media_root)):
                problems.append(f"{name} ({folder}) overlaps MEDIA_ROOT ({media_root}), and static files are public")
    return problems


@register(Tags.security, deploy=True)
def check_media_not_public(app_configs, **kwargs) -> list[Error]:
    return [
        Error(
            f"Uploaded files are public: {problem}. Attachments of internal notes would be readable by anyone "
            "with the address.",
            hint=MEDIA_HINT,
            id="helpdesk.E001",
        )
        for problem in public_media_problems()
    ]


@register(Tags.compatibility, deploy=True)
def check_broker_configured(app_configs, **kwargs) -> list[Warning]:
    """Without a broker, tasks run in-process (inside the request that queued them) and no Celery beat can run: the
    first attempt of each delivery and each inbound message is all there is. The sweeps that retry them and take
    back a dead process's rows, the SLA scan and the daily jobs never run."""
    if settings.CELERY_BROKER_URL:
        return []
    return [
        Warning(
            "CELERY_BROKER_URL is not set: tasks run inside the web requests and no Celery beat runs, so nothing "
            "retries a notification or an inbound message whose first attempt failed, takes back the rows of a "
            "process that died, scans the SLA deadlines or runs the daily jobs.",
            hint="Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and run one Celery worker and exactly one "
            "Celery beat (README, «Production»).",
            id="helpdesk.W001",
        )
    ]

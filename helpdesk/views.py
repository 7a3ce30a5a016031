"""The home page and the site-wide error handlers (wired in `helpdesk/urls.py`)."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

# Last resort when even the 500 template cannot be rendered (broken static storage, missing template …).
FALLBACK_500 = (
    '<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>خطای سرور</title></head>'
    "<body><h1>خطایی در سرور رخ داد</h1><p>لطفاً چند دقیقهٔ دیگر دوباره تلاش کنید.</p></body></html>"
)


def home(request):
    """The landing page: what to do next depends on who is looking (see `helpdesk.navigation`)."""
    return render(request, "home.html")


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Render 500.html without a RequestContext: no context processors, no database, nothing that may be broken."""
    try:
        body = loader.get_template("500.html").render()
    except Exception:  # the page that reports errors must not raise one itself
        logger.exception("could not render 500.html")
        body = FALLBACK_500
    return HttpResponseServerError(body)

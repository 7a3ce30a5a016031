"""The home page and the site-wide error handlers (wired in `helpdesk/urls.py`)."""

import logging
import sys

from django.db import Error as DatabaseFailure  # DatabaseError and InterfaceError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
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


FALLBACK_503 = (
    '<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>ذخیره نشد</title></head>'
    "<body><h1>ذخیره نشد؛ دوباره تلاش کنید</h1><p>پایگاه داده پاسخ نداد. چند لحظهٔ دیگر دوباره تلاش کنید.</p>"
    "</body></html>"
)
# Seconds a client is told to wait after a database error (a blip, a restart, a failover).
DATABASE_RETRY_AFTER = 10


def server_error(request):
    """Render 500.html without a RequestContext: no context processors, no database, nothing that may be broken.

    When what failed is the database (a dropped connection, a failover, a lost transaction), the answer is a 503
    with Retry-After that says nothing was saved: the request's transaction was rolled back, and the person must
    never see a success page over it. Django calls this handler inside its `except` for the request's exception
    (the view's or a middleware's), so `sys.exc_info()` is that exception; it has already been logged."""
    if isinstance(sys.exc_info()[1], DatabaseFailure):
        return database_unavailable(request)
    try:
        body = loader.get_template("500.html").render()
    except Exception:  # the page that reports errors must not raise one itself
        logger.exception("could not render 500.html")
        body = FALLBACK_500
    return HttpResponseServerError(body)


def database_unavailable(request) -> HttpResponse:
    """503: the database failed; for a POST (or any unsafe method), "not saved; try again"."""
    saving = request.method not in ("GET", "HEAD", "OPTIONS")
    try:
        body = loader.get_template("503.html").render({"saving": saving})
    except Exception:  # the page that reports errors must not raise one itself
        logger.exception("could not render 503.html")
        body = FALLBACK_503
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response

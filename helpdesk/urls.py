from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from inbound.urls import email_webhook_urlpatterns

from . import branding, health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # The public branding (the logo); MEDIA_URL itself is never served: attachments leave only through their
    # permission-checked download views (helpdesk/branding.py, README «Media and the web server»).
    path("branding/<str:name>", branding.branding, name="branding"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("accounts.urls")),
    path("tickets/", include("tickets.urls")),
    path("kb/", include("knowledgebase.urls")),
    path("limits/", include("limits.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("inbound/", include("inbound.urls")),
    path("anymail/", include((email_webhook_urlpatterns, "anymail"))),
    path("admin/", admin.site.urls),
]

handler403 = "helpdesk.views.permission_denied"
handler404 = "helpdesk.views.page_not_found"
handler500 = "helpdesk.views.server_error"

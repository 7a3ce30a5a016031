from django.urls import path

from . import views, webhooks

app_name = "inbound"

urlpatterns = [
    path("sms/kavenegar/<str:secret>/", views.kavenegar_receive, name="kavenegar_receive"),
]

# The email-in webhook at anymail's addresses, included by the root urls under "anymail/" (only the configured
# provider's answers; see `inbound.webhooks`).
email_webhook_urlpatterns = [
    path("<str:esp>/inbound/", webhooks.inbound_webhook, name="email_webhook"),
    path("mailgun/inbound_mime/", webhooks.inbound_webhook, {"esp": "mailgun"}, name="email_webhook_mime"),
]

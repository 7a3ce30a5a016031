from django.urls import path

from . import views, webhooks

app_name = "inbound"

urlpatterns = [
    path("sms/kavenegar/<str:secret>/", views.kavenegar_receive, name="kavenegar_receive"),
    path("held/<int:pk>/accept/", views.held_decide, {"accept": True}, name="held_accept"),
    path("held/<int:pk>/reject/", views.held_decide, {"accept": False}, name="held_reject"),
]

# The email-in webhook at anymail's addresses, included by the root urls under "anymail/" (only the configured
# provider's answers; see `inbound.webhooks`).
email_webhook_urlpatterns = [
    path("<str:esp>/inbound/", webhooks.inbound_webhook, name="email_webhook"),
    path("mailgun/inbound_mime/", webhooks.inbound_webhook, {"esp": "mailgun"}, name="email_webhook_mime"),
]

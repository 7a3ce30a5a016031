from django.urls import path

from . import views

app_name = "inbound"

urlpatterns = [
    path("sms/kavenegar/<str:secret>/", views.kavenegar_receive, name="kavenegar_receive"),
]

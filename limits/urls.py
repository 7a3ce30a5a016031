from django.urls import path

from . import api, views

app_name = "limits"

urlpatterns = [
    path("", views.index, name="index"),
    path("calculator/", views.calculator, name="calculator"),
    path("api/ceiling/", api.ceiling, name="api_ceiling"),
    path("api/vat/", api.vat, name="api_vat"),
]

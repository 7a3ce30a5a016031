from django.urls import path

from . import api, views

app_name = "limits"

urlpatterns = [
    path("", views.index, name="index"),
    path("calculator/", views.calculator, name="calculator"),
    path("taxpayers/", views.taxpayer_list, name="taxpayer_list"),
    path("taxpayers/<int:pk>/", views.taxpayer_detail, name="taxpayer_detail"),
    path("taxpayers/<int:pk>/request/", views.request_create, name="request_create"),
    path("taxpayers/<int:pk>/recompute/", views.recompute, name="recompute"),
    path("taxpayers/<int:pk>/usage/", views.usage_add, name="usage_add"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/<slug:action>/", views.request_action, name="request_action"),
    path("import/", views.figures_import, name="import"),
    path("api/ceiling/", api.ceiling, name="api_ceiling"),
    path("api/vat/", api.vat, name="api_vat"),
]

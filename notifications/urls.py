"""Panel notifications and notification preferences (`views`)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("preferences/", views.preferences_edit, name="preferences"),
    path("preferences/reset/", views.preferences_reset, name="preferences_reset"),
]

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("sla/", views.sla, name="sla"),
    path("agents/", views.agents, name="agents"),
    path("channels/", views.channels, name="channels"),
    path("kb/", views.kb, name="kb"),
    path("article6/", views.article6, name="article6"),
    path("<slug:section>/export/<slug:table>.<str:fmt>", views.export, name="export"),
]

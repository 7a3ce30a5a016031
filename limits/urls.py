from django.urls import path

app_name = "limits"

urlpatterns: list = []

from django.urls import path

app_name = "knowledgebase"

urlpatterns: list = []

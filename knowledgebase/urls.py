from django.urls import path

from . import views

app_name = "knowledgebase"

# Slugs may be Persian (allow_unicode), so they are matched as `str`, not Django's ASCII `slug` converter.
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/<int:pk>/", views.suggestion_open, name="suggestion_open"),
    path("picker/", views.picker, name="picker"),
    path("preview/", views.markdown_preview, name="markdown_preview"),
    path("from-ticket/<int:ticket_pk>/", views.draft_from_ticket, name="draft_from_ticket"),
    path("c/<str:slug>/", views.category_detail, name="category"),
    path("a/<str:slug>/", views.article_detail, name="article"),
    path("a/<str:slug>/feedback/", views.article_feedback, name="feedback"),
    path("files/<int:pk>/<str:name>", views.attachment_download, name="attachment"),
]
